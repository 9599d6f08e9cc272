// tests/policy/golden_test.cc
//
// Runs every golden case under tests/policy/golden/: each group has policy.rego and cases.json whose
// `expected` answers came from real OPA 0.47 (see golden/generate.js). An absent key means OPA's
// answer was undefined.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/policy.h"

namespace baton::policy {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string PackageOf(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("package ", 0) == 0) return line.substr(8);
  }
  return "";
}

// The oracle reports through JavaScript, whose numbers are doubles: integers beyond 2^53 are only
// known to double precision, so both sides are compared as doubles there.
nlohmann::json Normalize(const nlohmann::json& j) {
  if (j.is_number_integer() || j.is_number_unsigned()) {
    double d = j.get<double>();
    if (d >= 9007199254740992.0 || d <= -9007199254740992.0) return d;
    return j;
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(Normalize(e));
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = Normalize(it.value());
    return out;
  }
  return j;
}

TEST(PolicyGoldenTest, EveryCaseMatchesOpa) {
  fs::path dir = BATON_POLICY_GOLDEN_DIR;
  std::vector<fs::path> groups;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) groups.push_back(e.path());
  }
  std::sort(groups.begin(), groups.end());
  ASSERT_FALSE(groups.empty());
  int cases = 0, queries = 0, failures = 0, error_cases = 0;
  for (const auto& g : groups) {
    SCOPED_TRACE(g.filename().string());
    std::string text = ReadFile(g / "policy.rego");
    auto compiled = CompilePolicy({{(g.filename() / "policy.rego").string(), text}});
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    std::string pkg = PackageOf(text);
    if (fs::exists(g / "source")) {  // a copy of a shipped policy: it must not drift
      std::string source = ReadFile(g / "source");
      source.erase(source.find_last_not_of("\n") + 1);
      EXPECT_EQ(text, ReadFile(fs::path(BATON_POLICY_SOURCE_DIR) / source))
          << "copy " << source << " to " << g.string() << "/policy.rego and regenerate the answers";
    }
    auto all = nlohmann::json::parse(ReadFile(g / "cases.json"));
    for (const auto& c : all) {
      ++cases;
      SCOPED_TRACE(c["name"].get<std::string>());
      if (c.contains("oracle_error")) {
        // OPA reported an evaluation error (e.g. eval_conflict_error): so must we, for some query.
        ++error_cases;
        bool any_error = false;
        for (const auto& q : c["queries"]) {
          auto got = EvalQuery(**compiled, "data." + pkg + "." + q.get<std::string>(),
                               c.value("input", nlohmann::json()), nlohmann::json::object());
          any_error = any_error || !got.ok();
        }
        EXPECT_TRUE(any_error) << "OPA failed with " << c["oracle_error"] << " but we did not";
        continue;
      }
      nlohmann::json input = c.contains("input") ? c["input"] : nlohmann::json(nlohmann::json::value_t::discarded);
      nlohmann::json data = c.value("data", nlohmann::json::object());
      for (const auto& q : c["queries"]) {
        ++queries;
        std::string name = q.get<std::string>();
        auto got = EvalQuery(**compiled, "data." + pkg + "." + name, input, data);
        ASSERT_TRUE(got.ok()) << name << ": " << got.status().ToString();
        const auto& expected = c["expected"];
        if (expected.contains(name)) {
          if (!got->has_value() || Normalize(**got) != Normalize(expected[name])) {
            ++failures;
            ADD_FAILURE() << name << ": expected " << expected[name].dump() << ", got "
                          << (got->has_value() ? (*got)->dump() : "undefined");
          }
        } else if (got->has_value()) {
          ++failures;
          ADD_FAILURE() << name << ": expected undefined, got " << (*got)->dump();
        }
      }
    }
  }
  std::cout << "golden: " << groups.size() << " groups, " << cases << " cases, " << queries
            << " queries (" << error_cases << " cases where OPA reports an evaluation error), "
            << failures << " mismatches\n";
}

}  // namespace
}  // namespace baton::policy
