// End to end over stdio: a real `baton serve --stdio`, a real runner it starts, real jobs.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "tests/e2e/mcp_client.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

// Pids of live processes whose process group is `pgid`.
std::vector<int> GroupMembers(int pgid) {
  std::vector<int> out;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t rp = s.rfind(')');
    if (rp == std::string::npos) continue;
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (sscanf(s.c_str() + rp + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
        state != 'Z')
      out.push_back(pid);
  }
  closedir(d);
  return out;
}

class StdioE2eTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.File("baton.db"); }
  std::unique_ptr<McpClient> Connect() {
    auto c = std::make_unique<McpClient>(db(), std::map<std::string, std::string>{},
                                         std::vector<std::string>{"--runner-idle-exit", "3"});
    json init = c->Initialize();
    EXPECT_EQ(init["protocolVersion"], "2025-11-25");
    return c;
  }
  json WaitDone(McpClient& c, int64_t id, double seconds = 30) {
    // One job_id: the job's view itself; verbose for its times and links too.
    return c.CallOk("status", {{"job_id", id}, {"wait_seconds", seconds}, {"verbose", true}}, 60000);
  }
  TempDir dir_;
};

TEST_F(StdioE2eTest, ToolsListDescribesTheFourTools) {
  auto c = Connect();
  json r = c->Request("tools/list", json::object());
  std::map<std::string, json> tools;
  for (const json& t : r["result"]["tools"]) tools[t["name"]] = t;
  for (const char* name : {"enqueue", "status", "chain", "cancel"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(tools.count(name));
    const json& t = tools[name];
    EXPECT_FALSE(t["title"].get<std::string>().empty());
    EXPECT_GT(t["description"].get<std::string>().size(), 100u);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
    EXPECT_EQ(t["outputSchema"]["type"], "object");
    EXPECT_TRUE(t["annotations"].is_object());
  }
  EXPECT_EQ(tools["status"]["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(tools["cancel"]["annotations"]["destructiveHint"], true);
}

TEST_F(StdioE2eTest, EnqueueThenWaitReturnsTheResult) {
  auto c = Connect();
  json e = c->CallOk("enqueue", {{"command", {"/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"}}});
  ASSERT_TRUE(e["job_id"].is_number_integer());
  json job = WaitDone(*c, e["job_id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["exit_code"], 3);
  EXPECT_EQ(job["stdout_tail"], "hello\n");
  EXPECT_EQ(job["stderr_tail"], "oops\n");
  EXPECT_TRUE(job.contains("finished_at"));

  json ok = c->CallOk("enqueue", {{"command", {"/usr/bin/env"}}, {"env", {{"GREETING", "hi"}}}});
  // env prints the whole environment, more than the default tail: ask for more.
  json done = c->CallOk("status", {{"job_id", ok["job_id"]}, {"wait_seconds", 30}, {"tail_bytes", 4000}},
                        60000);
  EXPECT_EQ(done["state"], "succeeded");
  std::string out = done["stdout_tail"];
  EXPECT_NE(out.find("GREETING=hi"), std::string::npos);
  EXPECT_NE(out.find("BATON_JOB_ID=" + std::to_string(ok["job_id"].get<int>())), std::string::npos);
  EXPECT_NE(out.find("BATON_DB=" + db()), std::string::npos);
}

TEST_F(StdioE2eTest, ChainPassesOutputToTheNextStep) {
  auto c = Connect();
  json r = c->CallOk("chain",
                     {{"steps",
                       {{{"command", {"/bin/echo", "42"}}, {"name", "answer"}},
                        {{"command", {"/bin/echo", "got {{prev.stdout}} exit {{prev.exit_code}}"}}},
                        {{"command", {"/bin/sh", "-c", "cat \"$BATON_PREV_OUTPUT_FILE\"; cat"}},
                         {"stdin", "first was {{steps.answer.stdout}}"}}}}});
  ASSERT_EQ(r["job_ids"].size(), 3u);
  EXPECT_EQ(r["chain_id"], r["job_ids"][0]);
  json last = WaitDone(*c, r["job_ids"][2]);
  EXPECT_EQ(last["state"], "succeeded");
  EXPECT_EQ(last["stdout_tail"], "got 42 exit 0\nfirst was 42");
  json mid = c->CallOk("status", {{"job_id", r["job_ids"][1]}, {"verbose", true}});
  EXPECT_EQ(mid["stdout_tail"], "got 42 exit 0\n");
  EXPECT_EQ(mid["depends_on"][0], r["job_ids"][0]);

  // `after` attaches a follow-up to an existing job; a failed step skips the rest.
  json fail = c->CallOk("enqueue", {{"command", {"/bin/false"}}});
  json follow = c->CallOk("chain", {{"after", fail["job_id"]},
                                    {"steps", {{{"command", {"/bin/echo", "never"}}}}}});
  json skipped = WaitDone(*c, follow["job_ids"][0]);
  EXPECT_EQ(skipped["state"], "skipped");
  EXPECT_NE(skipped["error"].get<std::string>().find("needed success"), std::string::npos);
  json cleanup = c->CallOk("chain", {{"after", fail["job_id"]}, {"after_condition", "failure"},
                                     {"steps", {{{"command", {"/bin/echo", "{{prev.exit_code}}"}}}}}});
  EXPECT_EQ(WaitDone(*c, cleanup["job_ids"][0])["stdout_tail"], "1\n");
}

TEST_F(StdioE2eTest, CancelStopsTheWholeProcessGroup) {
  auto c = Connect();
  // The job forks a grandchild that ignores SIGTERM: it must die too.
  json e = c->CallOk("enqueue", {{"command", {"/bin/sh", "-c",
                                              "trap '' TERM; sleep 300 & echo started; wait"}}});
  int64_t id = e["job_id"];
  json running;
  for (int i = 0; i < 100; ++i) {
    running = c->CallOk("status", {{"job_id", id}, {"verbose", true}});  // with its pid
    if (running["state"] == "running" && running.value("stdout_tail", "") == "started\n") break;
    usleep(50000);
  }
  ASSERT_EQ(running["state"], "running");
  int pid = running["pid"];
  EXPECT_GE(GroupMembers(pid).size(), 2u);
  json down = c->CallOk("enqueue", {{"command", {"/bin/true"}}, {"depends_on", {id}}});
  json cancelled = c->CallOk("cancel", {{"job_id", id}, {"reason", "no longer needed"}});
  EXPECT_EQ(cancelled["state"], "cancelling");
  EXPECT_EQ(cancelled["cascaded"], json::array({down["job_id"]}));
  json job = WaitDone(*c, id, 20);
  EXPECT_EQ(job["state"], "cancelled");
  EXPECT_EQ(job["error"], "no longer needed");
  EXPECT_TRUE(GroupMembers(pid).empty()) << "a process of the cancelled job survived";

  json again = c->CallTool("cancel", {{"job_id", id}});
  EXPECT_EQ(again["isError"], true);
  EXPECT_NE(again["content"][0]["text"].get<std::string>().find("already finished"), std::string::npos);
  json missing = c->CallTool("status", {{"job_id", 999999}});
  EXPECT_EQ(missing["isError"], true);
}

TEST_F(StdioE2eTest, InvalidArgumentsAreToolErrorsThatNameTheField) {
  auto c = Connect();
  struct Case { json args; const char* needle; };
  const Case kCases[] = {
      {{{"command", "make test"}}, "`command` must be an argv array"},
      {{{"command", {"true"}}, {"timeout_seconds", "ten"}}, "`timeout_seconds`"},
      {{{"command", {"true"}}, {"cwd", "/definitely/missing"}}, "`cwd`"},
      {{{"command", {"echo", "{{prev.stdout}}"}}}, "no predecessor"},
      {{{"command", {"true"}}, {"depends_on", {987654}}}, "job 987654 does not exist"},
  };
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.args.dump());
    json r = c->CallTool("enqueue", k.args);
    EXPECT_EQ(r["isError"], true);
    EXPECT_NE(r["content"][0]["text"].get<std::string>().find(k.needle), std::string::npos)
        << r.dump();
  }
  json bad = c->CallTool("status", {{"job_id", "x"}});
  EXPECT_EQ(bad["isError"], true);
  json unknown_arg = c->CallTool("status", {{"id", 1}});
  EXPECT_NE(unknown_arg["content"][0]["text"].get<std::string>().find("`id` is not an argument"),
            std::string::npos);
}

TEST_F(StdioE2eTest, WaitSendsProgressAndReturnsWhenTheJobEnds) {
  auto c = Connect();
  json e = c->CallOk("enqueue", {{"command", {"/bin/sleep", "1"}}});
  json r = c->Request("tools/call", {{"name", "status"},
                                     {"arguments", {{"job_id", e["job_id"]}, {"wait_seconds", 30},
                                                    {"verbose", true}}},  // with waited_ms
                                     {"_meta", {{"progressToken", "p1"}}}},
                      60000);
  json job = r["result"]["structuredContent"];  // one job_id: the job's view itself
  EXPECT_EQ(job["job_id"], e["job_id"]);
  EXPECT_EQ(job["state"], "succeeded");
  EXPECT_LT(r["result"]["structuredContent"]["waited_ms"].get<int>(), 10000)
      << "the wait ends on the job's end, not the timeout";
}

}  // namespace
}  // namespace baton::testing

namespace baton::testing {
namespace {

TEST(PolicyE2eTest, TheShippedDefaultPolicyDeniesShellsAndAllowsTheAllowlist) {
  TempDir dir;
  McpClient c(dir.File("baton.db"), {},
              {"--runner-idle-exit", "3", "--policy", SourceDir() + "/examples/policies"});
  c.Initialize();
  nlohmann::json denied = c.CallTool("enqueue", {{"command", {"bash", "-c", "rm -rf /"}}});
  EXPECT_EQ(denied["isError"], true);
  std::string text = denied["content"][0]["text"];
  EXPECT_NE(text.find("Denied by policy"), std::string::npos) << text;
  EXPECT_NE(text.find("shells are not allowed"), std::string::npos) << text;
  // The denial says what the agent may do instead: the policy's hint, then ask the user.
  EXPECT_NE(text.find("Hint: the allowed commands are cargo, cat, claude"), std::string::npos) << text;
  EXPECT_NE(text.find("ask the user"), std::string::npos) << text;
  nlohmann::json ok = c.CallOk("enqueue", {{"command", {"echo", "fine"}}});
  EXPECT_TRUE(ok["job_id"].is_number_integer());
  EXPECT_EQ(c.CallOk("status", {{"job_id", ok["job_id"]}})["job_id"], ok["job_id"]);
}

}  // namespace
}  // namespace baton::testing
