// server/policy_cli.cc
#include "server/policy_cli.h"

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

Result<std::string> ReadText(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  ss << in.rdbuf();
  return ss.str();
}

Result<nlohmann::json> ReadJson(const std::string& path) {
  BATON_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument(path + ": not valid JSON");
  return j;
}

// The *.rego files of a directory (sorted), or the file itself.
Result<std::vector<policy::PolicySource>> LoadSources(const std::string& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".rego") files.push_back(e.path());
    }
    if (ec) return Status::Unavailable("listing " + path + ": " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) return Status::NotFound("no .rego files in " + path);
  } else {
    files.push_back(path);
  }
  std::vector<policy::PolicySource> sources;
  for (const auto& f : files) {
    BATON_ASSIGN_OR_RETURN(std::string text, ReadText(f.string()));
    sources.push_back({f.string(), std::move(text)});
  }
  return sources;
}

Result<std::shared_ptr<const policy::CompiledPolicy>> LoadPolicy(const std::string& path) {
  BATON_ASSIGN_OR_RETURN(auto sources, LoadSources(path));
  return policy::CompilePolicy(sources);
}

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
  auto input = ReadJson(f.input);
  if (!input.ok()) {
    std::cerr << "baton policy eval: " << input.status().message() << "\n";
    return 2;
  }
  nlohmann::json data = nlohmann::json::object();
  if (!f.data.empty()) {
    auto d = ReadJson(f.data);
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
    auto d = ReadJson(f.data);
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
