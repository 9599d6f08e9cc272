// tests/policy/policy_cli_test.cc: `baton policy eval|test|check` (server/cli/policy_cli.h).
#include "server/cli/policy_cli.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace baton {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun RunCli(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int code = RunPolicyCommand(args);
  return {code, ::testing::internal::GetCapturedStdout(), ::testing::internal::GetCapturedStderr()};
}

class PolicyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_.File("p.rego"), R"(package baton
import rego.v1
default allow := false
allow if count(deny) == 0
deny contains sprintf("no %s", [input.tool]) if input.tool == "cancel"
)");
    testing::WriteFile(dir_.File("p_test.rego"), R"(package baton_test
import rego.v1
import data.baton
test_status_ok if baton.allow with input as {"tool": "status"}
test_cancel_denied if not baton.allow with input as {"tool": "cancel"}
test_wrong if baton.allow with input as {"tool": "cancel"}
)");
    testing::WriteFile(dir_.File("notes.txt"), "not rego");
    testing::WriteFile(dir_.File("cancel.json"), R"({"tool": "cancel"})");
    testing::WriteFile(dir_.File("status.json"), R"({"tool": "status"})");
  }
  testing::TempDir dir_;
};

TEST_F(PolicyCliTest, EvalPrintsTheDecisionAndExitsByIt) {
  CliRun ok = RunCli({"eval", "--policy", dir_.path(), "--input", dir_.File("status.json")});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("\"allow\": true"), std::string::npos) << ok.out;
  CliRun no = RunCli({"policy", "eval", "--policy", dir_.path(), "--input", dir_.File("cancel.json")});
  EXPECT_EQ(no.code, 1);
  EXPECT_NE(no.out.find("\"no cancel\""), std::string::npos) << no.out;
}

TEST_F(PolicyCliTest, EvalWithDataAndQuery) {
  testing::WriteFile(dir_.File("data.json"), R"({"x": {"y": 1}})");
  CliRun r = RunCli({"eval", "--policy", dir_.path(), "--input", dir_.File("status.json"), "--data",
                  dir_.File("data.json"), "--query", "data.nothing"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("data.nothing.allow is undefined"), std::string::npos) << r.out;
}

TEST_F(PolicyCliTest, TestPrintsFailuresAndTotals) {
  CliRun r = RunCli({"test", dir_.path()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "FAIL data.baton_test.test_wrong\n2 passed, 1 failed\n");
}

TEST_F(PolicyCliTest, CheckNamesFileLineAndColumn) {
  CliRun ok = RunCli({"check", dir_.path()});
  EXPECT_EQ(ok.code, 0) << ok.err;
  testing::WriteFile(dir_.File("q.rego"), "package q\n\nx := [1,\n");
  CliRun bad = RunCli({"check", dir_.path()});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, dir_.File("q.rego") + ":4:1: unexpected end of file\n");
}

TEST_F(PolicyCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli({}).code, 2);
  EXPECT_EQ(RunCli({"frob"}).code, 2);
  EXPECT_EQ(RunCli({"eval", "--policy", dir_.path()}).code, 2);
  EXPECT_EQ(RunCli({"eval", "--policy", dir_.path(), "--input", dir_.File("missing.json")}).code, 2);
  EXPECT_EQ(RunCli({"test", "--bogus", dir_.path()}).code, 2);
  EXPECT_EQ(RunCli({"check", dir_.File("none")}).code, 1);
}

}  // namespace
}  // namespace baton
