// tests/policy/policy_api_test.cc: the public API — decisions fail closed, queries, opa-test runs,
// several modules and packages, `with`, runtime errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/policy.h"
#include "tests/support/temp_dir.h"

namespace baton::policy {
namespace {

using nlohmann::json;

std::shared_ptr<const CompiledPolicy> MustCompile(std::vector<PolicySource> sources) {
  auto r = CompilePolicy(sources);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

TEST(PolicyDecideTest, AllowsWhenAllowIsTrueAndDenyIsEmpty) {
  auto pol = MustCompile({{"p.rego", R"(package baton
import rego.v1
default allow := false
allow if count(deny) == 0
deny contains msg if {
  input.tool == "enqueue"
  input.arguments.command[0] == "curl"
  msg := sprintf("no %s", [input.arguments.command[0]])
})"}});
  Decision ok = Decide(*pol, json{{"tool", "status"}}, json::object());
  EXPECT_TRUE(ok.allow);
  EXPECT_TRUE(ok.deny.empty());
  EXPECT_TRUE(ok.errors.empty());
  Decision no = Decide(*pol, json{{"tool", "enqueue"}, {"arguments", {{"command", {"curl", "x"}}}}},
                       json::object());
  EXPECT_FALSE(no.allow);
  EXPECT_EQ(no.deny, std::vector<std::string>{"no curl"});
  EXPECT_TRUE(no.errors.empty());
}

TEST(PolicyDecideTest, FailsClosedOnUndefinedNonBooleanOrError) {
  struct Case {
    const char* name;
    const char* policy;
    const char* error;
  };
  const Case kCases[] = {
      {"undefined allow", "package baton\nimport rego.v1\nallow if input.never",
       "data.baton.allow is undefined"},
      {"non-boolean allow", "package baton\nallow := \"yes\"",
       "data.baton.allow is not a boolean (got string)"},
      {"conflicting values", "package baton\nimport rego.v1\nallow := true\nallow := false if true",
       "policy evaluation error: complete rule data.baton.allow produced conflicting values "
       "(eval_conflict_error)"},
      {"function conflict",
       "package baton\nimport rego.v1\nf(x) := 1\nf(x) := 2\nallow if f(1) == 1",
       "policy evaluation error: function f produced conflicting outputs for the same inputs "
       "(eval_conflict_error)"},
      {"deny not a set", "package baton\nallow := true\ndeny := \"x\"", "data.baton.deny is not a set"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    auto pol = MustCompile({{"p.rego", c.policy}});
    ASSERT_TRUE(pol);
    Decision d = Decide(*pol, json::object(), json::object());
    EXPECT_FALSE(d.allow);
    ASSERT_FALSE(d.errors.empty());
    EXPECT_EQ(d.errors[0], c.error);
  }
}

TEST(PolicyDecideTest, DenyMessagesForceADenialEvenWhenAllowIsTrue) {
  auto pol = MustCompile({{"p.rego", "package baton\nimport rego.v1\nallow := true\ndeny contains \"no\" if true"}});
  Decision d = Decide(*pol, json::object(), json::object());
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.deny, std::vector<std::string>{"no"});
}

TEST(PolicyDecideTest, QueryPathAndDataAreConfigurable) {
  auto pol = MustCompile({{"p.rego", R"(package acme.authz
import rego.v1
default allow := false
allow if input.user in data.acme.authz.config.admins)"}});
  json data = {{"acme", {{"authz", {{"config", {{"admins", {"ann"}}}}}}}}};
  EXPECT_TRUE(Decide(*pol, json{{"user", "ann"}}, data, "data.acme.authz").allow);
  EXPECT_FALSE(Decide(*pol, json{{"user", "bob"}}, data, "data.acme.authz").allow);
  Decision wrong = Decide(*pol, json{{"user", "ann"}}, data);  // data.baton does not exist
  EXPECT_FALSE(wrong.allow);
  EXPECT_EQ(wrong.errors[0], "data.baton.allow is undefined");
}

TEST(PolicyEvalQueryTest, RulesPackagesAndBaseData) {
  auto pol = MustCompile({{"a.rego", R"(package lib.strings
import rego.v1
shout(s) := upper(s)
greeting := "hi")"},
                          {"b.rego", R"(package app
import rego.v1
import data.lib.strings
import data.lib.strings.greeting as hello
loud := strings.shout(input.name)
both := [hello, data.lib.strings.greeting, data.extra.value]
names contains n if some n in input.names)"}});
  json input = {{"name", "ann"}, {"names", {"b", "a", "b"}}};
  json data = {{"extra", {{"value", 7}}}};
  auto loud = EvalQuery(*pol, "data.app.loud", input, data);
  ASSERT_TRUE(loud.ok());
  EXPECT_EQ(**loud, "ANN");
  auto both = EvalQuery(*pol, "data.app.both", input, data);
  EXPECT_EQ(**both, json::parse(R"(["hi", "hi", 7])"));
  auto pkg = EvalQuery(*pol, "data.app", input, data);
  EXPECT_EQ((**pkg)["names"], json::parse(R"(["a", "b"])"));
  auto base = EvalQuery(*pol, "data.extra.value", input, data);
  EXPECT_EQ(**base, 7);
  auto missing = EvalQuery(*pol, "data.app.nope", input, data);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(EvalQuery(*pol, "app.loud", input, data).ok());
}

TEST(PolicyEvalQueryTest, RecursionIsAnErrorNotACrash) {
  auto pol = MustCompile({{"r.rego", "package r\nimport rego.v1\na if b\nb if a"}});
  auto r = EvalQuery(*pol, "data.r.a", json::object(), json::object());
  EXPECT_FALSE(r.ok());
  auto f = MustCompile({{"f.rego", "package r\nimport rego.v1\nf(x) := f(x + 1)\ny := f(1)"}});
  EXPECT_FALSE(EvalQuery(*f, "data.r.y", json::object(), json::object()).ok());
}

TEST(PolicyEvalQueryTest, WithReplacesInputDataAndRules) {
  auto pol = MustCompile({{"w.rego", R"(package w
import rego.v1
limit := 3
over if input.n > limit
a if over with input as {"n": 5}
b if over with input.n as 2
c if over with input as {"n": 2} with data.w.limit as 1
d := x if { x := data.cfg.x with data.cfg.x as "patched" }
e := data.cfg.x)"}});
  json data = {{"cfg", {{"x", "orig"}}}};
  auto q = [&](const char* r) { return EvalQuery(*pol, std::string("data.w.") + r, json{{"n", 10}}, data); };
  EXPECT_EQ(**q("a"), true);
  EXPECT_FALSE(q("b")->has_value());
  EXPECT_EQ(**q("c"), true);
  EXPECT_EQ(**q("d"), "patched");
  EXPECT_EQ(**q("e"), "orig");
  EXPECT_EQ(**q("over"), true);
}

TEST(PolicyTestRunnerTest, RunsTestRulesLikeOpaTest) {
  std::string dir = testing::SourceDir() + "/tests/policy/testdata/";
  auto pol = MustCompile({{"p04.rego", testing::ReadFile(dir + "p04_cancel_owner_or_admin.rego")},
                          {"p04_test.rego", testing::ReadFile(dir + "p04_cancel_owner_or_admin_test.rego")}});
  ASSERT_TRUE(pol);
  TestReport r = RunPolicyTests(*pol, json::object());
  EXPECT_EQ(r.passed, 4);
  EXPECT_EQ(r.failed, 0);
  ASSERT_EQ(r.results.size(), 4u);
  EXPECT_EQ(r.results[0].name, "data.mcp.authz_test.test_agent_may_not_cancel_others");
}

TEST(PolicyTestRunnerTest, ReportsFailuresAndErrors) {
  EXPECT_FALSE(CompilePolicy({{"t.rego", "package t\nimport rego.v1\ntest_x if { x := 1; x := 2 }"}}).ok());
  auto pol = MustCompile({{"t.rego", R"(package t
import rego.v1
test_pass if true
test_false := false
test_undefined if input.x
f(_) := 1
f(_) := 2
test_conflict if f(0)
not_a_test := false)"}});
  TestReport r = RunPolicyTests(*pol, json::object());
  EXPECT_EQ(r.passed, 1);
  EXPECT_EQ(r.failed, 3);
  int errors = 0;
  for (const auto& t : r.results) errors += t.outcome == TestResult::Outcome::kError;
  EXPECT_EQ(errors, 1);
}

TEST(PolicyDefaultTest, ShippedDefaultPolicyPassesItsOwnTests) {
  std::string dir = testing::SourceDir() + "/examples/policies/";
  auto pol = MustCompile({{"default.rego", testing::ReadFile(dir + "default.rego")},
                          {"default_test.rego", testing::ReadFile(dir + "default_test.rego")}});
  ASSERT_TRUE(pol);
  TestReport r = RunPolicyTests(*pol, json::object());
  for (const auto& t : r.results) {
    EXPECT_EQ(t.outcome, TestResult::Outcome::kPass) << t.name << " " << t.message;
  }
  EXPECT_GE(r.passed, 20);
}

}  // namespace
}  // namespace baton::policy
