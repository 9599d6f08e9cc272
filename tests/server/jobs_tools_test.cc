// The MCP tools of durable execution, called as the session calls them: jobs (listing, filters,
// cursor pages, the dead-letter queue), retry, schedule, queue, and chain with on_failure
// compensations run by a real runner.
#include <gtest/gtest.h>

#include "server/jobs/job_service.h"
#include "tests/server/job_tools_fixture.h"
#include "tools/chain_tool.h"
#include "tools/jobs_tool.h"
#include "tools/queue_tool.h"
#include "tools/retry_tool.h"
#include "tools/schedule_tool.h"
#include "tools/status_tool.h"

namespace baton {
namespace {

using nlohmann::json;

class JobsToolsTest : public testing::JobToolsFixture {};

// Cancelling a queued job involves no runner, so the front-end that cancels rings the others
// itself: a status wait in another process hears it at once, not after its lost-ring bound.
TEST_F(JobsToolsTest, CancellingAQueuedJobRingsTheOtherFrontEnds) {
  auto other_store = JobStore::Open(paths_.db);  // another front-end process's connection
  ASSERT_TRUE(other_store.ok()) << other_store.status().ToString();
  JobWatcher other(**other_store);
  ASSERT_TRUE(other.Start(paths_.bell_prefix + "other").ok());
  JobId queued = Enqueue({{"command", {"true"}}, {"delay_seconds", 3600}});
  uint64_t seen = other.generation();
  ASSERT_TRUE(service_->Cancel(queued, false, "not needed").ok());
  // No time bound asserted: without the ring, this waits the whole 30 s and sees no change.
  EXPECT_NE(other.WaitForChange(seen, 30000), seen) << "the other front-end was not rung";
  EXPECT_EQ((*other_store)->Get(queued)->state, JobState::kCancelled);
}

TEST_F(JobsToolsTest, JobsFiltersAndPagesWithACursor) {
  std::vector<JobId> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(Enqueue({{"command", {"echo", std::to_string(i)}},
                           {"queue", i % 2 ? "odd" : "even"},
                           {"labels", {{"team", i < 3 ? "infra" : "web"}}}}));
  ASSERT_TRUE(store_->Cancel(ids[6], false, "", SystemClock::Instance().NowMs()).ok());
  tools::JobsTool jobs(*service_);
  std::vector<JobId> seen;
  json args = {{"limit", 3}};
  for (int page = 0; page < 5; ++page) {
    ToolResult r = Call(jobs, args);
    ASSERT_FALSE(r.is_error()) << r.error;
    EXPECT_LE(r.structured["jobs"].size(), 3u);
    for (const json& row : r.structured["jobs"]) {
      seen.push_back(row["job_id"].get<JobId>());
      EXPECT_FALSE(row.contains("stdout_tail"));  // compact rows
    }
    if (!r.structured.contains("next_cursor")) break;
    args["cursor"] = r.structured["next_cursor"];
  }
  EXPECT_EQ(seen, std::vector<JobId>(ids.rbegin(), ids.rend()));  // newest first, each once

  struct Case { json args; size_t rows; };
  const Case kCases[] = {
      {{{"state", "cancelled"}}, 1},
      {{{"state", json::array({"queued", "cancelled"})}}, 7},
      {{{"queue", "odd"}}, 3},
      {{{"label", {{"team", "infra"}}}}, 3},
      {{{"label", {{"team", "infra"}}}, {"queue", "even"}}, 2},
      {{{"created_after", "2000-01-01T00:00:00Z"}}, 7},
      {{{"created_before", "2000-01-01T00:00:00Z"}}, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.args.dump());
    ToolResult r = Call(jobs, c.args);
    ASSERT_FALSE(r.is_error()) << r.error;
    EXPECT_EQ(r.structured["jobs"].size(), c.rows);
  }
  for (const json& bad : {json{{"state", "done"}}, json{{"limit", 0}}, json{{"cursor", "x"}},
                          json{{"created_after", "yesterday"}}, json{{"bogus", 1}}}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_TRUE(Call(jobs, bad).is_error());
  }
}

TEST_F(JobsToolsTest, DeadLetterQueueIsListedAndRetryRequeuesWithFreshAttempts) {
  StartRunner();
  JobId id = Enqueue({{"command", {"sh", "-c", "exit 1"}},
                      {"retry", {{"max_attempts", 2}, {"initial_delay", 0}}}});
  ASSERT_TRUE(RunUntilState(id, JobState::kDead, 10000));
  tools::JobsTool jobs(*service_);
  ToolResult dead = Call(jobs, {{"state", "dead"}});
  ASSERT_EQ(dead.structured["jobs"].size(), 1u);
  EXPECT_EQ(dead.structured["jobs"][0]["job_id"], id);

  tools::RetryTool retry(*service_);
  ToolResult r = Call(retry, {{"job_id", id}, {"reason", "flaky network"}});
  ASSERT_FALSE(r.is_error()) << r.error;
  EXPECT_EQ(r.structured["job"]["state"], "queued");
  ToolResult again = Call(retry, {{"job_id", id}});
  ASSERT_TRUE(again.is_error());
  EXPECT_NE(again.error.find("still queued"), std::string::npos) << again.error;
  ASSERT_TRUE(RunUntilState(id, JobState::kDead, 10000));
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 4u);  // 2 + 2 fresh, history kept
  EXPECT_EQ((*attempts)[3].number, 4);
  EXPECT_TRUE(Call(retry, {{"job_id", 9999}}).is_error());
  // Agents see the whole history through status.
  tools::StatusTool status(*service_);
  ToolResult st = Call(status, {{"job_id", id}, {"attempts", true}});
  ASSERT_FALSE(st.is_error()) << st.error;
  const json& history = st.structured["attempts"];  // one job_id: the job's view itself
  ASSERT_EQ(history.size(), 4u);
  for (const json& a : history) {
    EXPECT_EQ(a["outcome"], "failed");
    EXPECT_EQ(a["exit_code"], 1);
  }
}

TEST_F(JobsToolsTest, ScheduleToolCreatesListsAndDeletes) {
  tools::ScheduleTool schedule(*service_);
  json spec = {{"command", {"make", "nightly"}}};
  struct Bad { json args; const char* mentions; };
  const Bad kBad[] = {
      {{{"action", "create"}, {"name", "n"}, {"cron", "0 3 * *"}, {"spec", spec}}, "cron"},
      {{{"action", "create"}, {"name", "n"}, {"cron", "0 3 * * *"}, {"tz", "Mars/Base"}, {"spec", spec}}, "tz"},
      {{{"action", "create"}, {"name", "n"}, {"cron", "0 3 * * *"},
        {"spec", {{"command", {"x"}}, {"delay_seconds", 5}}}}, "delay_seconds"},
      {{{"action", "create"}, {"name", "n"}, {"cron", "0 3 * * *"}, {"spec", {{"command", "make"}}}}, "command"},
      {{{"action", "create"}, {"name", "n"}, {"cron", "0 3 * * *"}, {"spec", spec}, {"catch_up", "all"}}, "catch_up"},
      {{{"action", "create"}, {"cron", "0 3 * * *"}, {"spec", spec}}, "name"},
      {{{"action", "explode"}, {"name", "n"}}, "action"},
  };
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.args.dump());
    ToolResult r = Call(schedule, b.args);
    ASSERT_TRUE(r.is_error());
    EXPECT_NE(r.error.find(b.mentions), std::string::npos) << r.error;
  }
  ToolResult created = Call(schedule, {{"action", "create"}, {"name", "nightly"},
                                       {"cron", "0 3 * * *"}, {"tz", "Europe/Paris"},
                                       {"catch_up", "run_once"}, {"spec", spec}});
  ASSERT_FALSE(created.is_error()) << created.error;
  EXPECT_EQ(created.structured["schedule"]["catch_up"], "run_once");
  EXPECT_TRUE(Call(schedule, {{"action", "create"}, {"name", "nightly"}, {"cron", "* * * * *"},
                              {"spec", spec}}).is_error());  // name taken
  ToolResult list = Call(schedule, {{"action", "list"}});
  ASSERT_EQ(list.structured["schedules"].size(), 1u);
  EXPECT_EQ(list.structured["schedules"][0]["tz"], "Europe/Paris");
  EXPECT_EQ(list.structured["schedules"][0]["missed_runs"], 0);
  EXPECT_FALSE(Call(schedule, {{"action", "delete"}, {"name", "nightly"}}).is_error());
  EXPECT_TRUE(Call(schedule, {{"action", "delete"}, {"name", "nightly"}}).is_error());
}

TEST_F(JobsToolsTest, QueueToolPausesResumesAndLimits) {
  StartRunner();
  tools::QueueTool queue(*service_);
  ASSERT_FALSE(Call(queue, {{"action", "pause"}, {"queue", "slow"}}).is_error());
  JobId id = Enqueue({{"command", {"true"}}, {"queue", "slow"}});
  for (int i = 0; i < 10; ++i) runner_->RunOnce(10);
  EXPECT_EQ(store_->Get(id)->state, JobState::kQueued);  // paused: not started
  ToolResult limited = Call(queue, {{"action", "limit"}, {"queue", "slow"}, {"concurrency", 2}});
  ASSERT_FALSE(limited.is_error()) << limited.error;
  bool found = false;
  for (const json& q : limited.structured["queues"])
    if (q["queue"] == "slow") {
      found = true;
      EXPECT_EQ(q["paused"], true);
      EXPECT_EQ(q["concurrency"], 2);
      EXPECT_EQ(q["queued"], 1);
    }
  EXPECT_TRUE(found);
  ASSERT_FALSE(Call(queue, {{"action", "resume"}, {"queue", "slow"}}).is_error());
  EXPECT_TRUE(RunUntilState(id, JobState::kSucceeded, 5000));
  EXPECT_TRUE(Call(queue, {{"action", "limit"}, {"queue", "slow"}, {"concurrency", 0}}).is_error());
  EXPECT_TRUE(Call(queue, {{"action", "pause"}}).is_error());
}

TEST_F(JobsToolsTest, QueueConcurrencyLimitHoldsWithARealRunner) {
  StartRunner(RunnerOptions{.concurrency = 8});
  ASSERT_TRUE(service_->SetQueueConcurrency("one", 1).ok());
  std::string log = dir_.File("overlap.log");
  std::vector<JobId> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(Enqueue({{"command", {"sh", "-c", "echo S >> " + log + "; sleep 0.2; echo E >> " + log}},
                           {"queue", "one"}}));
  ASSERT_TRUE(RunUntil([&] {
    for (JobId id : ids) if (store_->Get(id)->state != JobState::kSucceeded) return false;
    return true;
  }, 15000));
  EXPECT_EQ(baton::testing::ReadFile(log), "S\nE\nS\nE\nS\nE\nS\nE\n");  // one at a time
}

TEST_F(JobsToolsTest, ChainCompensationsRunInReverseWhenALaterStepFails) {
  StartRunner();
  std::string log = dir_.File("saga.log");
  auto step = [&](const std::string& name, const std::string& script) {
    return json{{"name", name},
                {"command", {"sh", "-c", "echo " + name + " >> " + log + "; " + script}},
                {"on_failure", {{"command", {"sh", "-c", "echo undo-" + name + " >> " + log}}}}};
  };
  tools::ChainTool chain(*service_);
  ToolResult r = Call(chain, {{"steps", {step("reserve", "true"), step("charge", "true"),
                                         step("ship", "exit 1"), step("notify", "true")}}});
  ASSERT_FALSE(r.is_error()) << r.error;
  JobId ship = r.structured["job_ids"][2];
  JobId notify = r.structured["job_ids"][3];
  ASSERT_TRUE(RunUntil([&] {
    return baton::testing::ReadFile(log).find("undo-reserve") != std::string::npos;
  }, 15000)) << baton::testing::ReadFile(log);
  ASSERT_TRUE(RunUntilState(notify, JobState::kSkipped, 5000));
  EXPECT_EQ(store_->Get(ship)->state, JobState::kFailed);
  EXPECT_EQ(baton::testing::ReadFile(log), "reserve\ncharge\nship\nundo-charge\nundo-reserve\n");
  // on_failure outside a chain is refused with a hint.
  auto bad = service_->Enqueue({{"command", {"true"}}, {"on_failure", {{"command", {"true"}}}}},
                               Origin{});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("chain"), std::string::npos);
}

}  // namespace
}  // namespace baton
