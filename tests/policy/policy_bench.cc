// tests/policy/policy_bench.cc
//
// Measures Decide() on the shipped default policy (a benchmark, not a test):
//   build-policy/tests/policy/policy_bench [examples/policies/default.rego] [iterations]
// Prints the median and p99 cost per decision in microseconds.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "policy/policy.h"

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : BATON_POLICY_SOURCE_DIR "/examples/policies/default.rego";
  int iterations = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto pol = baton::policy::CompilePolicy({{path, ss.str()}});
  if (!pol.ok()) {
    std::cerr << pol.status().ToString() << "\n";
    return 1;
  }
  const auto inputs = {
      nlohmann::json::parse(R"({"method": "tools/call", "tool": "enqueue",
        "arguments": {"command": ["make", "-j4", "test"], "cwd": "/home/alice/app", "env": {"CI": "1"},
                      "queue": "default", "priority": 0, "timeout_seconds": 600,
                      "retry": {"max_attempts": 3}},
        "principal": {"id": "alice", "kind": "local"}, "session": "s-1", "transport": "stdio",
        "chain": {"depth": 0, "parent": null}, "stats": {"enqueues_last_minute": 3},
        "now_ns": 1795511520000000000})"),
      nlohmann::json::parse(R"({"method": "tools/call", "tool": "status", "arguments": {"job_id": 4},
        "principal": {"id": "alice", "kind": "local"}, "session": "s-1", "transport": "stdio",
        "job": {"id": 4, "state": "running", "queue": "default", "principal": "alice",
                "command": ["make"]}, "now_ns": 1795511520000000000})"),
  };
  const nlohmann::json data = nlohmann::json::object();
  for (const auto& input : inputs) {
    std::vector<double> us;
    us.reserve(static_cast<size_t>(iterations));
    bool allow = false;
    for (int i = 0; i < iterations; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto d = baton::policy::Decide(**pol, input, data);
      auto t1 = std::chrono::steady_clock::now();
      allow = d.allow;
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    std::cout << "tool=" << input["tool"].get<std::string>() << " allow=" << allow
              << " median_us=" << us[us.size() / 2] << " p99_us=" << us[us.size() * 99 / 100]
              << " iterations=" << iterations << "\n";
  }
  return 0;
}
