// The runner and schedules: a run missed while no runner was alive gets a `missed` event and the
// catch-up policy; a runner does not idle-exit while schedules exist.
#include <gtest/gtest.h>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

class ScheduleRunnerTest : public testing::RunnerFixture {
 protected:
  Schedule Make(const std::string& name, CatchUp catch_up, int64_t next_run_ms) {
    Schedule s;
    s.name = name;
    // Yearly: no run of it falls within the last minute, which would count as on time.
    s.cron = "0 0 1 1 *";
    s.catch_up = catch_up;
    s.spec_json = nlohmann::json({{"command", {"echo", name}}, {"cwd", dir_.path()}}).dump();
    s.next_run_ms = next_run_ms;
    return s;
  }
};

TEST_F(ScheduleRunnerTest, MissedRunsAreRecordedAndCaughtUpPerPolicy) {
  const int64_t now = SystemClock::Instance().NowMs();
  // Both were due 20 minutes ago: no runner was alive then.
  ASSERT_TRUE(store_->CreateSchedule(Make("once", CatchUp::kRunOnce, now - 20 * 60000), now).ok());
  ASSERT_TRUE(store_->CreateSchedule(Make("skip", CatchUp::kSkip, now - 20 * 60000), now).ok());
  StartRunner();
  JobFilter f;
  f.label_key = "schedule";
  f.label_value = "once";
  ASSERT_TRUE(RunUntil([&] {
    auto jobs = store_->List(f);
    return jobs->size() == 1 && (*jobs)[0].state == JobState::kSucceeded;
  }, 10000));
  EXPECT_EQ(store_->List(f)->front().stdout_tail, "once\n");
  f.label_value = "skip";
  EXPECT_TRUE(store_->List(f)->empty());
  for (const char* name : {"once", "skip"}) {
    auto s = store_->GetSchedule(name);
    EXPECT_EQ(s->missed_runs, 1);
    EXPECT_GT(s->next_run_ms, now);
  }
  int missed = 0;
  auto events = store_->UnpublishedEvents(1000);
  for (const Event& e : *events) missed += e.type == "missed";
  EXPECT_EQ(missed, 2);
}

TEST_F(ScheduleRunnerTest, RunnerStaysWhileSchedulesExist) {
  const int64_t now = SystemClock::Instance().NowMs();
  ASSERT_TRUE(store_->CreateSchedule(Make("later", CatchUp::kSkip, now + 3600000), now).ok());
  RunnerOptions o;
  o.idle_exit_ms = 100;
  StartRunner(o);
  int64_t until = MonotonicMs() + 600;
  while (MonotonicMs() < until) ASSERT_TRUE(runner_->RunOnce(20)) << "idle-exited with a schedule";
  ASSERT_TRUE(store_->DeleteSchedule("later", now).ok());
  bool exited = false;
  until = MonotonicMs() + 2000;
  while (!exited && MonotonicMs() < until) exited = !runner_->RunOnce(20);
  EXPECT_TRUE(exited);
}

}  // namespace
}  // namespace baton
