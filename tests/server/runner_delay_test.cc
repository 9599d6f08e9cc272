// Delayed jobs start on time: an idle runner sleeps exactly until the next run_at (it computes
// its poll timeout from NextDueMs), so a job starts within 50 ms of its time.
#include <gtest/gtest.h>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

class RunnerDelayTest : public testing::RunnerFixture {};

TEST_F(RunnerDelayTest, DelayedJobsStartWithin50msOfTheirTime) {
  StartRunner();
  runner_->Start();  // its own loop: no test-imposed wake-ups
  std::vector<JobId> ids;
  for (double delay : {0.3, 0.7, 1.1})
    ids.push_back(Enqueue({{"command", {"true"}}, {"delay_seconds", delay}}));
  // Ring as a front-end would after enqueueing.
  ASSERT_TRUE(transport::Doorbell::Ring(paths_.runner_bell).ok());
  int64_t deadline = MonotonicMs() + 10000;
  bool all = false;
  while (!all && MonotonicMs() < deadline) {
    all = true;
    for (JobId id : ids) all = all && store_->Get(id)->state == JobState::kSucceeded;
    usleep(20000);
  }
  runner_->Shutdown();
  runner_->Join();
  ASSERT_TRUE(all);
  for (JobId id : ids) {
    auto job = store_->Get(id);
    auto attempts = store_->Attempts(id);
    ASSERT_EQ(attempts->size(), 1u);
    int64_t late = (*attempts)[0].started_ms - job->run_at_ms;
    EXPECT_GE(late, 0) << "job " << id << " started early";
    EXPECT_LE(late, 50) << "job " << id << " started " << late << " ms late";
  }
}

}  // namespace
}  // namespace baton
