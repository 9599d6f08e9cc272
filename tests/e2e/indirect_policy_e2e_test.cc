// End to end: jobs that no direct `enqueue` of a command asked for — templates, chain steps,
// retries of dead jobs, schedule firings in the runner the front-end starts — are checked by the
// policy as job specs. Real `baton serve --stdio` with --policy and --config, the real runner it
// starts (which gets the same --policy), real policy files, a real database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "tests/e2e/mcp_client.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

constexpr const char* kConfig = R"({
  "templates": {
    "say": {
      "description": "Print a message",
      "command": ["echo", "{{params.text}}"],
      "params": {"text": {"type": "string", "description": "what to print"}}
    },
    "wipe": {
      "description": "Delete a build directory",
      "command": ["rm", "-rf", "{{params.dir}}"],
      "params": {"dir": {"type": "string", "pattern": "build[a-z0-9_-]*"}}
    },
    "sleepy": {
      "command": ["sleep", "{{params.seconds}}"],
      "params": {"seconds": {"type": "integer", "default": 0}},
      "timeout_seconds": 30
    }
  }
})";

class IndirectPolicyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("policy"));
    // The shipped default policy, allowing `rm` so that only its rm -rf rule decides, and `touch`.
    std::filesystem::copy_file(SourceDir() + "/examples/policies/default.rego",
                               dir_.File("policy/default.rego"));
    WriteData({"make", "echo", "sleep", "true", "false", "rm", "touch"});
    std::ofstream(dir_.File("config.json")) << kConfig;
  }
  void WriteData(const std::vector<std::string>& allowed) {
    std::ofstream(dir_.File("data.json"))
        << json({{"baton", {{"config", {{"allowed_commands", allowed}}}}}}).dump();
  }
  std::unique_ptr<McpClient> Connect(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--runner-idle-exit", "3", "--policy", dir_.File("policy"),
                                     "--policy-data", dir_.File("data.json"), "--config",
                                     dir_.File("config.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto c = std::make_unique<McpClient>(dir_.File("baton.db"), std::map<std::string, std::string>{},
                                         args);
    c->Initialize();
    return c;
  }
  static std::string Text(const json& result) {
    return result.is_null() ? "<no result>" : result["content"][0]["text"].get<std::string>();
  }
  // Adds `rego` to the policy directory as `file` and waits until the service has reloaded it:
  // a direct enqueue of `probe_command` is refused.
  bool AddPolicyAndWaitUntilItDenies(McpClient& c, const std::string& file, const std::string& rego,
                                     const json& probe_command) {
    std::ofstream(dir_.File("policy/" + file)) << rego;
    int64_t until = MonotonicMs() + 15000;
    json direct;
    do {
      usleep(100000);
      direct = c.CallTool("enqueue", {{"command", probe_command}});
    } while (direct["isError"] != true && MonotonicMs() < until);
    return direct["isError"] == true;
  }
  json WaitDone(McpClient& c, int64_t id) {
    // One job_id: the job's view itself (verbose: with its command and labels).
    return c.CallOk("status", {{"job_id", id}, {"wait_seconds", 30}, {"verbose", true}}, 60000);
  }
  TempDir dir_;
};

TEST_F(IndirectPolicyE2eTest, TemplatesAreListedExpandedAndJudgedAsTheJobTheyCreate) {
  auto c = Connect();
  json tools = c->Request("tools/list", json::object());
  std::string description;
  for (const json& t : tools["result"]["tools"])
    if (t["name"] == "enqueue") description = t["description"];
  EXPECT_NE(description.find("say(text: string) — Print a message"), std::string::npos) << description;

  // Allowed: the parameter lands in one argv element, shell metacharacters and all.
  const std::string marker = dir_.File("injected");
  const std::string text = "hi; touch " + marker + " && $(touch " + marker + ")";
  json ok = c->CallOk("enqueue", {{"template", "say"}, {"params", {{"text", text}}}});
  json done = WaitDone(*c, ok["job_id"]);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["stdout_tail"], text + "\n");
  EXPECT_EQ(done["labels"]["baton.template"], "say");
  EXPECT_FALSE(std::filesystem::exists(marker));

  // Denied: the policy sees the expanded command (rm -rf), not just a template name.
  json denied = c->CallTool("enqueue", {{"template", "wipe"}, {"params", {{"dir", "build"}}}});
  EXPECT_EQ(denied["isError"], true);
  EXPECT_NE(Text(denied).find("Denied by policy: recursive forced deletes"), std::string::npos)
      << Text(denied);

  // Bad parameters: a tool error that says what to fix (not a policy denial).
  struct Case { json args; const char* error; };
  const Case kCases[] = {
      {{{"template", "sayy"}}, "there is no template \"sayy\"; the templates are: say, sleepy, wipe"},
      {{{"template", "say"}}, "`params.text` is required by template \"say\" (string: what to print)"},
      {{{"template", "say"}, {"params", {{"text", "x"}, {"loud", true}}}},
       "`params.loud` is not a parameter of template \"say\"; it takes: text: string"},
      {{{"template", "sleepy"}, {"params", {{"seconds", "1; reboot"}}}},
       "`params.seconds` must be an integer, got \"1; reboot\""},
      {{{"template", "wipe"}, {"params", {{"dir", "/"}}}}, "does not match the pattern"},
      {{{"template", "say"}, {"params", {{"text", "x"}}}, {"command", {"rm", "-rf", "/"}}},
       "`command` cannot be given with `template`"},
  };
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.args.dump());
    json r = c->CallTool("enqueue", k.args);
    EXPECT_EQ(r["isError"], true);
    EXPECT_NE(Text(r).find(k.error), std::string::npos) << Text(r);
    EXPECT_EQ(Text(r).find("Denied by policy"), std::string::npos) << Text(r);
  }
}

TEST_F(IndirectPolicyE2eTest, EachChainStepIsCheckedAsAJob) {
  // A policy that only knows about `enqueue` still governs chain steps.
  std::filesystem::remove(dir_.File("policy/default.rego"));
  std::ofstream(dir_.File("policy/p.rego")) << R"rego(package baton
import rego.v1
default allow := true
deny contains msg if {
	input.tool == "enqueue"
	input.arguments.command[0] == "touch"
	msg := sprintf("no touching (%s, depth %d)", [input.origin, input.chain.depth])
}
)rego";
  auto c = Connect();
  const std::string marker = dir_.File("touched");
  json r = c->CallTool("chain", {{"steps", {{{"command", {"true"}}}, {{"command", {"touch", marker}}}}}});
  EXPECT_EQ(r["isError"], true);
  EXPECT_NE(Text(r).find("Denied by policy: steps[1]: no touching (chain, depth 1)"),
            std::string::npos) << Text(r);
  json jobs = c->CallOk("jobs", json::object());
  EXPECT_TRUE(jobs["jobs"].empty()) << "no step of a denied chain is created: " << jobs.dump();
}

TEST_F(IndirectPolicyE2eTest, RetryOfADeadJobIsRefusedWhenThePolicyNowDeniesItsSpec) {
  auto c = Connect();
  json e = c->CallOk("enqueue", {{"command", {"false"}},
                                  {"retry", {{"max_attempts", 2}, {"initial_delay", 0.01}}}});
  json dead = WaitDone(*c, e["job_id"]);
  ASSERT_EQ(dead["state"], "dead");

  // `false` is no longer allowed: a new file joins the policy, which reloads.
  ASSERT_TRUE(AddPolicyAndWaitUntilItDenies(*c, "retired.rego", R"(package baton
import rego.v1
deny contains "false is retired" if {
	input.tool == "enqueue"
	input.arguments.command[0] == "false"
}
)", {"false"})) << "the policy was not reloaded";

  json r = c->CallTool("retry", {{"job_id", e["job_id"]}});
  EXPECT_EQ(r["isError"], true);
  EXPECT_NE(Text(r).find("Denied by policy: false is retired"), std::string::npos) << Text(r);
  json status = c->CallOk("status", {{"job_id", e["job_id"]}});
  EXPECT_EQ(status["state"], "dead") << "a refused retry leaves the job as it was";
}

TEST_F(IndirectPolicyE2eTest, TheRunnerAFrontEndStartsChecksScheduleFiringsWithTheSamePolicy) {
  auto c = Connect();
  const std::string marker = dir_.File("scheduled-touch");
  // Every minute; the first firing comes within 60 s. The schedule is allowed when created...
  json s = c->CallOk("schedule", {{"action", "create"}, {"name", "toucher"}, {"cron", "* * * * *"},
                                  {"spec", {{"command", {"touch", marker}}}}});
  ASSERT_FALSE(s.is_null());
  // ...and the policy then stops allowing `touch`: the runner must deny the firing.
  ASSERT_TRUE(AddPolicyAndWaitUntilItDenies(*c, "no_touch.rego", R"(package baton
import rego.v1
deny contains "touch is retired" if {
	input.tool == "enqueue"
	input.arguments.command[0] == "touch"
}
)", {"touch", marker + ".probe"})) << "the policy was not reloaded";

  json job;
  int64_t until = MonotonicMs() + 75000;
  while (MonotonicMs() < until) {
    json jobs = c->CallOk("jobs", {{"label", {{"schedule", "toucher"}}}});
    if (!jobs.is_null() && !jobs["jobs"].empty()) {
      job = WaitDone(*c, jobs["jobs"][0]["job_id"]);
      break;
    }
    usleep(500000);
  }
  ASSERT_FALSE(job.is_null()) << "the schedule never fired";
  EXPECT_EQ(job["state"], "cancelled");
  std::string error = job["error"];
  EXPECT_NE(error.find("Denied by policy: touch is retired"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(marker));
  c->CallOk("schedule", {{"action", "delete"}, {"name", "toucher"}});
}

// A template may carry a run-time placeholder; its expansion in the runner the front-end starts
// is judged with the front-end's --policy (forbid_rm_rf): `rm {{prev.stdout}} DIR` after
// `echo -rf` is refused before it runs.
TEST_F(IndirectPolicyE2eTest, TemplatePlaceholderIsJudgedExpandedByTheRunnerAFrontEndStarts) {
  std::filesystem::remove(dir_.File("policy/default.rego"));
  std::filesystem::copy_file(SourceDir() + "/examples/policies/forbid_rm_rf/forbid_rm_rf.rego",
                             dir_.File("policy/forbid_rm_rf.rego"));
  std::ofstream(dir_.File("config.json")) << R"({"templates": {"clean": {
    "description": "Delete with the flags the previous step printed",
    "command": ["rm", "{{prev.stdout}}", "{{params.dir}}"],
    "params": {"dir": {"type": "string"}}}}})";
  const std::string victim = dir_.File("victim");
  std::filesystem::create_directories(victim);
  std::ofstream(victim + "/keep") << "precious";
  auto c = Connect();
  json chain = c->CallOk("chain", {{"steps", {{{"command", {"echo", "-rf"}}},
                                              {{"template", "clean"}, {"params", {{"dir", victim}}}}}}});
  ASSERT_FALSE(chain.is_null());
  json last = WaitDone(*c, chain["job_ids"][1]);
  ASSERT_FALSE(last.is_null());
  EXPECT_EQ(last["state"], "failed");
  std::string error = last["error"];
  EXPECT_EQ(error.rfind("policy denied the expanded command: 'rm' with recursive and force flags", 0),
            0u) << error;
  EXPECT_TRUE(std::filesystem::exists(victim + "/keep")) << "the expanded rm -rf ran";
}

}  // namespace
}  // namespace baton::testing
