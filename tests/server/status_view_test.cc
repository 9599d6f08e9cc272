// What an agent sees of its jobs (issue 17, context economy): the lean status view and the
// verbose one, tails cut at line boundaries, one id unwrapped, a timed-out wait that shows only
// what changed, compact `jobs` rows, and the early errors (an unknown {{steps.NAME}}, a misspelt
// argument) — through the real tools, over a real database and real job processes.
#include <gtest/gtest.h>

#include "server/jobs/job_service.h"
#include "server/jobs/job_view.h"
#include "tests/server/job_tools_fixture.h"
#include "tools/chain_tool.h"
#include "tools/enqueue_tool.h"
#include "tools/jobs_tool.h"
#include "tools/status_tool.h"

namespace baton {
namespace {

using nlohmann::json;

class StatusViewTest : public testing::JobToolsFixture {
 protected:
  // Runs `script` under sh to its end and returns its job id.
  JobId Finished(const std::string& script, JobState want) {
    JobId id = Enqueue({{"command", {"sh", "-c", script}}});
    if (!runner_) StartRunner();
    EXPECT_TRUE(RunUntilState(id, want, 20000)) << ToString(store_->Get(id)->state);
    return id;
  }
};

TEST_F(StatusViewTest, TailsStartAtALineAndKeepTheEnd) {
  struct Case {
    std::string output;
    size_t max;
    std::string want;
  };
  const Case kCases[] = {
      {"a\nb\n", 10, "a\nb\n"},                   // fits: as is
      {"first line\nsecond\nthird\n", 9, "third\n"},  // "nd\nthird\n" starts mid-line
      {"first\nsecond\nthird\n", 13, "second\nthird\n"},  // the window starts at a line
      {"0123456789", 4, "6789"},                  // one long line: its end
      {"x\n\xc3\xa9\xc3\xa9\xc3\xa9", 5, "\xc3\xa9\xc3\xa9"},  // partial line kept, UTF-8 whole
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.output);
    EXPECT_EQ(OutputTail(c.output, c.max), c.want);
  }
}

TEST_F(StatusViewTest, OneIdIsItsLeanViewAndVerboseHasTheRest) {
  JobId id = Finished("echo one; echo two", JobState::kSucceeded);
  tools::StatusTool status(*service_);
  ToolResult lean = Call(status, {{"job_id", id}});
  ASSERT_FALSE(lean.is_error()) << lean.error;
  const json& v = lean.structured;
  EXPECT_FALSE(v.contains("jobs")) << v.dump();  // not wrapped for one id
  EXPECT_EQ(v["job_id"], id);
  EXPECT_EQ(v["state"], "succeeded");
  EXPECT_EQ(v["stdout_tail"], "one\ntwo\n");
  EXPECT_TRUE(v.contains("duration_ms"));
  for (const char* gone : {"command", "queue", "created_at", "started_at", "finished_at",
                           "attempt", "max_attempts", "exit_code", "error"})
    EXPECT_FALSE(v.contains(gone)) << gone << " in the lean view: " << v.dump();

  ToolResult full = Call(status, {{"job_id", id}, {"verbose", true}});
  ASSERT_FALSE(full.is_error()) << full.error;
  const json& f = full.structured;
  EXPECT_EQ(f["command"], json({"sh", "-c", "echo one; echo two"}));
  EXPECT_EQ(f["queue"], "default");
  EXPECT_EQ(f["exit_code"], 0);
  EXPECT_EQ(f["attempt"], 1);
  EXPECT_EQ(f["max_attempts"], 1);
  for (const char* k : {"created_at", "started_at", "finished_at", "stdout_tail"})
    EXPECT_TRUE(f.contains(k)) << k << " missing from the verbose view: " << f.dump();

  ToolResult several = Call(status, {{"job_ids", {id}}});
  ASSERT_FALSE(several.is_error()) << several.error;
  ASSERT_EQ(several.structured["jobs"].size(), 1u);
  EXPECT_EQ(several.structured["jobs"][0]["job_id"], id);
}

TEST_F(StatusViewTest, AFailureShowsItsExitCodeOnceAndItsStderr) {
  JobId id = Finished("echo oops >&2; exit 2", JobState::kFailed);
  tools::StatusTool status(*service_);
  ToolResult r = Call(status, {{"job_id", id}});
  ASSERT_FALSE(r.is_error()) << r.error;
  EXPECT_EQ(r.structured["exit_code"], 2);
  EXPECT_EQ(r.structured["stderr_tail"], "oops\n");
  EXPECT_FALSE(r.structured.contains("error")) << "the error only repeats the exit code";

  JobId killed = Finished("kill -9 $$", JobState::kFailed);
  ToolResult k = Call(status, {{"job_id", killed}});
  ASSERT_FALSE(k.is_error()) << k.error;
  EXPECT_EQ(k.structured["signal"], 9);
  EXPECT_NE(k.structured.value("error", "").find("signal"), std::string::npos) << k.structured;
}

TEST_F(StatusViewTest, ALongOutputIsCutAtALineWithTailBytesForMore) {
  JobId id = Finished("i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo \"[$i/300] step $i\"; done",
                      JobState::kSucceeded);
  tools::StatusTool status(*service_);
  ToolResult r = Call(status, {{"job_id", id}});
  ASSERT_FALSE(r.is_error()) << r.error;
  std::string tail = r.structured["stdout_tail"];
  EXPECT_LE(tail.size(), kDefaultTailBytes);
  EXPECT_EQ(tail.rfind("[", 0), 0u) << "starts mid-line: " << tail.substr(0, 40);
  EXPECT_NE(tail.find("[300/300] step 300\n"), std::string::npos);

  ToolResult more = Call(status, {{"job_id", id}, {"tail_bytes", 4000}});
  ASSERT_FALSE(more.is_error()) << more.error;
  std::string longer = more.structured["stdout_tail"];
  EXPECT_GT(longer.size(), tail.size());
  EXPECT_EQ(longer.rfind("[", 0), 0u);
}

TEST_F(StatusViewTest, ATimedOutWaitShowsOnlyWhatChanged) {
  StartRunner();
  JobId slow = Enqueue({{"command", {"sleep", "30"}}});
  JobId quick = Enqueue({{"command", {"sh", "-c", "sleep 0.3; echo done"}}});
  ASSERT_TRUE(RunUntilState(slow, JobState::kRunning, 10000));
  ASSERT_TRUE(RunUntilState(quick, JobState::kRunning, 10000));
  std::atomic<bool> stop{false};
  std::thread pump([&] {
    while (!stop) runner_->RunOnce(20);
  });
  tools::StatusTool status(*service_);
  ToolResult r = Call(status, {{"job_ids", {slow, quick}}, {"wait_seconds", 1.5}});
  stop = true;
  pump.join();
  ASSERT_FALSE(r.is_error()) << r.error;
  EXPECT_EQ(r.structured["timed_out"], true);
  const json& jobs = r.structured["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0], json({{"job_id", slow}, {"state", "running"}}));  // unchanged: id and state
  EXPECT_EQ(jobs[1]["state"], "succeeded");
  EXPECT_EQ(jobs[1]["stdout_tail"], "done\n");
  ASSERT_TRUE(service_->Cancel(slow, false, "test over").ok());
  RunUntilState(slow, JobState::kCancelled, 10000);
}

TEST_F(StatusViewTest, JobsRowsAreCompactTwentyByDefault) {
  for (int i = 0; i < 25; ++i) Enqueue({{"command", {"echo", std::to_string(i)}}, {"delay_seconds", 3600}});
  tools::JobsTool jobs(*service_);
  ToolResult r = Call(jobs, json::object());
  ASSERT_FALSE(r.is_error()) << r.error;
  ASSERT_EQ(r.structured["jobs"].size(), 20u);
  EXPECT_TRUE(r.structured.contains("next_cursor"));
  const json& row = r.structured["jobs"][0];
  EXPECT_EQ(row, json({{"job_id", row["job_id"]}, {"state", "pending"}, {"command", "echo 24"}}));
  ToolResult v = Call(jobs, {{"limit", 1}, {"verbose", true}});
  ASSERT_FALSE(v.is_error()) << v.error;
  for (const char* k : {"queue", "attempt", "created_at", "run_at"})
    EXPECT_TRUE(v.structured["jobs"][0].contains(k)) << k;
}

TEST_F(StatusViewTest, AChainNamingAStepThatDoesNotExistIsRefusedAtOnce) {
  tools::ChainTool chain(*service_);
  ToolResult r = Call(chain, {{"steps",
                               {{{"command", {"make"}}, {"name", "build"}},
                                {{"command", {"echo", "{{steps.biuld.stdout}}"}}}}}});
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error.find("steps[1].command"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("did you mean `build`?"), std::string::npos) << r.error;
  auto none = service_->List(JobFilter{});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "no job was created";

  // A compensation may name any step of the chain; a step of the chain `after` extends counts.
  ToolResult ok = Call(chain, {{"steps",
                                {{{"command", {"make"}}, {"name", "build"}},
                                 {{"command", {"make", "deploy"}},
                                  {"name", "deploy"},
                                  {"on_failure", {{"command", {"echo", "{{steps.build.job_id}}"}}}}}}}});
  ASSERT_FALSE(ok.is_error()) << ok.error;
  JobId last = ok.structured["job_ids"][1];
  ToolResult later = Call(chain, {{"after", last},
                                  {"steps", {{{"command", {"echo", "{{steps.build.stdout}}"}}}}}});
  EXPECT_FALSE(later.is_error()) << later.error;
  ToolResult env = Call(chain, {{"after", last},
                                {"steps", {{{"command", {"true"}}, {"env", {{"X", "{{steps.nope.stdout}}"}}}}}}});
  ASSERT_TRUE(env.is_error());
  EXPECT_NE(env.error.find("steps[0].env.X"), std::string::npos) << env.error;
}

TEST_F(StatusViewTest, AMisspeltArgumentGetsADidYouMean) {
  tools::StatusTool status(*service_);
  ToolResult r = Call(status, {{"job_id", 1}, {"wait", 5}});
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error.find("`wait` is not an argument of this tool (did you mean `wait_seconds`?)"),
            std::string::npos)
      << r.error;
  tools::EnqueueTool enqueue(*service_);
  ToolResult e = Call(enqueue, {{"command", {"true"}}, {"timeout", 5}});
  ASSERT_TRUE(e.is_error());
  EXPECT_NE(e.error.find("(did you mean `timeout_seconds`?)"), std::string::npos) << e.error;
}

}  // namespace
}  // namespace baton
