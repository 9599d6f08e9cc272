// Retention: the runner prunes finished jobs older than its retention age, with their events
// and output files, and expired MCP tasks, so the database and the log directory stay bounded.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

class RetentionTest : public testing::RunnerFixture {};

TEST_F(RetentionTest, RunnerPrunesOldFinishedJobsEventsAndLogs) {
  ManualClock clock(1'800'000'000'000);
  RunnerOptions o;
  o.retention_ms = 24 * 3600 * 1000LL;  // one day
  StartRunner(o, &clock);
  JobId old_job = Enqueue({{"command", {"echo", "old"}}}, clock);
  ASSERT_TRUE(RunUntilState(old_job, JobState::kSucceeded, 10000));
  std::string log_dir = paths_.logs_dir + "/" + std::to_string(old_job);
  struct stat st;
  ASSERT_EQ(stat(log_dir.c_str(), &st), 0);
  TaskRecord task;  // an MCP task on the new-enough job, expired an hour later
  task.id = "t-expired";
  task.principal = "alice";
  task.job_ids = {old_job};
  task.created_ms = clock.NowMs();
  task.ttl_ms = 3600 * 1000LL;
  ASSERT_TRUE(store_->CreateTask(task).ok());
  runner_.reset();  // the next runner prunes on its first pass (then hourly)

  clock.AdvanceMs(2 * 24 * 3600 * 1000LL);
  JobId new_job = Enqueue({{"command", {"echo", "new"}}}, clock);
  StartRunner(o, &clock);
  ASSERT_TRUE(RunUntilState(new_job, JobState::kSucceeded, 10000));
  EXPECT_EQ(store_->Get(old_job).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->JobEvents(old_job, 0, 10)->empty());
  EXPECT_NE(stat(log_dir.c_str(), &st), 0) << "the old job's output files are still there";
  EXPECT_TRUE(store_->Get(new_job).ok());
  EXPECT_EQ(*store_->PruneExpiredTasks(clock.NowMs()), 0) << "the expired task was not pruned";
}

TEST_F(RetentionTest, ZeroRetentionKeepsEverything) {
  ManualClock clock(1'800'000'000'000);
  RunnerOptions o;
  o.retention_ms = 0;
  StartRunner(o, &clock);
  JobId id = Enqueue({{"command", {"true"}}}, clock);
  ASSERT_TRUE(RunUntilState(id, JobState::kSucceeded, 10000));
  runner_.reset();
  clock.AdvanceMs(400LL * 24 * 3600 * 1000);
  StartRunner(o, &clock);
  for (int i = 0; i < 5; ++i) runner_->RunOnce(10);
  EXPECT_TRUE(store_->Get(id).ok());
}

}  // namespace
}  // namespace baton
