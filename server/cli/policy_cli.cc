// server/cli/policy_cli.cc
#include "server/cli/policy_cli.h"

#include "server/guard/policy_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "policy/policy.h"

namespace baton {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: baton policy eval --policy DIR --input FILE [--data FILE] [--query data.baton]\n"
    "       baton policy test DIR [--data FILE]\n"
    "       baton policy check DIR\n";

struct Flags {
  std::vector<std::string> positional;
  std::string policy, input, data, query = "data.baton";
};

Result<Flags> ParseFlags(const std::vector<std::string>& args, size_t start) {
  Flags f;
  for (size_t i = start; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* target = a == "--policy" ? &f.policy
                          : a == "--input" ? &f.input
                          : a == "--data"  ? &f.data
                          : a == "--query" ? &f.query
                                           : nullptr;
    if (target) {
      if (i + 1 >= args.size()) return Status::InvalidArgument(a + " needs a value");
      *target = args[++i];
    } else if (a.rfind("--", 0) == 0) {
      return Status::InvalidArgument("unknown flag " + a);
    } else {
      f.positional.push_back(a);
    }
  }
  return f;
}

int Eval(const Flags& f) {
  std::string dir = !f.policy.empty() ? f.policy : (f.positional.empty() ? "" : f.positional[0]);
  if (dir.empty() || f.input.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  auto pol = LoadPolicy(dir);
  if (!pol.ok()) {
    std::cerr << "baton policy eval: " << pol.status().message() << "\n";
    return 2;
  }
  auto input = ReadJsonFile(f.input);
  if (!input.ok()) {
    std::cerr << "baton policy eval: " << input.status().message() << "\n";
    return 2;
  }
  nlohmann::json data = nlohmann::json::object();
  if (!f.data.empty()) {
    auto d = ReadJsonFile(f.data);
    if (!d.ok()) {
      std::cerr << "baton policy eval: " << d.status().message() << "\n";
      return 2;
    }
    data = std::move(d).value();
  }
  policy::Decision d = policy::Decide(**pol, *input, data, f.query);
  nlohmann::json out = {{"allow", d.allow}, {"deny", d.deny}, {"errors", d.errors}};
  std::cout << out.dump(2) << "\n";
  return d.allow ? 0 : 1;
}

int Test(const Flags& f) {
  if (f.positional.size() != 1) {
    std::cerr << kUsage;
    return 2;
  }
  auto pol = LoadPolicy(f.positional[0]);
  if (!pol.ok()) {
    std::cerr << "baton policy test: " << pol.status().message() << "\n";
    return 2;
  }
  nlohmann::json data = nlohmann::json::object();
  if (!f.data.empty()) {
    auto d = ReadJsonFile(f.data);
    if (!d.ok()) {
      std::cerr << "baton policy test: " << d.status().message() << "\n";
      return 2;
    }
    data = std::move(d).value();
  }
  policy::TestReport r = policy::RunPolicyTests(**pol, data);
  for (const auto& t : r.results) {
    if (t.outcome == policy::TestResult::Outcome::kFail) std::cout << "FAIL " << t.name << "\n";
    if (t.outcome == policy::TestResult::Outcome::kError) {
      std::cout << "ERROR " << t.name << ": " << t.message << "\n";
    }
  }
  std::cout << r.passed << " passed, " << r.failed << " failed\n";
  return r.failed == 0 ? 0 : 1;
}

int Check(const Flags& f) {
  if (f.positional.size() != 1) {
    std::cerr << kUsage;
    return 2;
  }
  auto pol = LoadPolicy(f.positional[0]);
  if (!pol.ok()) {
    std::cerr << pol.status().message() << "\n";
    return 1;
  }
  std::cout << "ok\n";
  return 0;
}

}  // namespace

int RunPolicyCommand(const std::vector<std::string>& args) {
  size_t start = !args.empty() && args[0] == "policy" ? 1 : 0;
  if (start >= args.size()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& cmd = args[start];
  auto flags = ParseFlags(args, start + 1);
  if (!flags.ok()) {
    std::cerr << "baton policy: " << flags.status().message() << "\n" << kUsage;
    return 2;
  }
  if (cmd == "eval") return Eval(*flags);
  if (cmd == "test") return Test(*flags);
  if (cmd == "check") return Check(*flags);
  std::cerr << "baton policy: unknown command " << cmd << "\n" << kUsage;
  return 2;
}

}  // namespace baton
