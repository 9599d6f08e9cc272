// Scenario 7: policy evaluation cost per call (policy/policy.h Decide), with the shipped default
// policy and with a generated 50-rule policy, on an `enqueue` input like the one the server
// builds. Baseline: parsing the same input document from its JSON text (nlohmann), per call: the
// cost of a step every request already pays.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/scenarios.h"
#include "policy/policy.h"

namespace baton::bench {

using nlohmann::json;

namespace {

const char* kInput = R"({"method": "tools/call", "tool": "enqueue",
  "arguments": {"command": ["make", "-j4", "test"], "cwd": "/home/alice/app", "env": {"CI": "1"},
                "queue": "default", "priority": 0, "timeout_seconds": 600,
                "retry": {"max_attempts": 3}},
  "principal": {"id": "alice", "kind": "local"}, "session": "s-1", "transport": "stdio",
  "chain": {"depth": 0, "parent": null}, "stats": {"enqueues_last_minute": 3},
  "now_ns": 1795511520000000000})";

// 50 rules: 25 deny rules over the arguments and 25 allow rules, the last of which matches.
std::string FiftyRulePolicy() {
  std::string p = "package baton\n\nimport rego.v1\n\ndefault allow := false\n\n";
  for (int i = 0; i < 25; ++i)
    p += "deny contains msg if {\n\tinput.tool == \"enqueue\"\n\tinput.arguments.command[0] == \"forbidden" +
         std::to_string(i) + "\"\n\tmsg := \"command forbidden" + std::to_string(i) + " is not allowed\"\n}\n\n";
  for (int i = 0; i < 24; ++i)
    p += "allow if {\n\tinput.principal.id == \"user" + std::to_string(i) +
         "\"\n\tinput.tool in {\"status\", \"jobs\"}\n}\n\n";
  p += "allow if {\n\tinput.tool in {\"enqueue\", \"chain\", \"status\"}\n\tcount(deny) == 0\n"
       "\tinput.stats.enqueues_last_minute < 60\n}\n";
  return p;
}

template <typename F>
std::vector<double> PerCallUs(long iterations, F&& f) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(iterations));
  for (long i = 0; i < iterations; ++i) {
    int64_t t0 = NowNs();
    f();
    us.push_back(static_cast<double>(NowNs() - t0) / 1e3);
  }
  return us;
}

}  // namespace

int PolicyBench(const Options& o) {
  bool smoke = o.Has("smoke");
  long n = o.Int("n", smoke ? 500 : 20000);
  std::string default_path = o.Get("policy", std::string(BATON_BENCH_SOURCE_DIR) + "/examples/policies/default.rego");
  std::ifstream in(default_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const json input = json::parse(kInput);
  const json data = json::object();
  std::string text = kInput;
  auto base = PerCallUs(n, [&] { json j = json::parse(text); (void)j; });
  struct Case {
    std::string name;
    std::string source;
  };
  std::vector<Case> cases = {{"policy evaluation, default policy", ss.str()},
                             {"policy evaluation, 50 rules", FiftyRulePolicy()}};
  for (const Case& c : cases) {
    if (c.source.empty()) {
      EmitUnavailable(7, c.name, "cannot read " + default_path);
      continue;
    }
    auto pol = policy::CompilePolicy({{c.name, c.source}});
    if (!pol.ok()) {
      EmitUnavailable(7, c.name, "does not compile: " + pol.status().ToString());
      continue;
    }
    bool allow = false;
    auto us = PerCallUs(n, [&] { allow = policy::Decide(**pol, input, data).allow; });
    std::vector<double> b = base;
    Figure f;
    f.scenario = 7;
    f.name = c.name + " (median)";
    f.value = Percentile(us, 0.5);
    f.unit = "us";
    f.baseline_name = "JSON parse of the input";
    f.baseline = Percentile(b, 0.5);
    f.target = Target{"<=", 20, false};
    f.extra = {{"iterations", n}, {"p99_us", Percentile(us, 0.99)}, {"allow", allow}};
    Emit(f);
  }
  return 0;
}

}  // namespace baton::bench
