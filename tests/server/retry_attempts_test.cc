// Retries with a real runner and real processes on an injected clock: the backoff lands exactly
// where the policy says, every attempt is recorded with its outcome, dead after the last one,
// and a manual retry (the retry tool) gives fresh attempts while numbering continues.
#include <gtest/gtest.h>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

class RetryAttemptsTest : public testing::RunnerFixture {
 protected:
  // Runs passes until the job is in `state` (the clock does not move by itself).
  void Expect(JobId id, JobState state) {
    ASSERT_TRUE(RunUntilState(id, state, 10000))
        << "job " << id << " is " << ToString(store_->Get(id)->state) << ", wanted "
        << ToString(state);
  }
  ManualClock clock_{1'800'000'000'000};
};

TEST_F(RetryAttemptsTest, BackoffIsExactOnAnInjectedClockAndEveryAttemptIsRecorded) {
  StartRunner({}, &clock_);
  JobId id = Enqueue({{"command", {"sh", "-c", "echo try $BATON_ATTEMPT; exit 3"}},
                      {"retry", {{"max_attempts", 3}, {"initial_delay", 10}, {"multiplier", 3},
                                 {"max_delay", 20}, {"jitter", "none"}}}},
                     clock_);
  const int64_t t0 = clock_.NowMs();
  Expect(id, JobState::kPending);
  EXPECT_EQ(store_->Get(id)->run_at_ms, t0 + 10000);  // initial_delay
  for (int i = 0; i < 20; ++i) runner_->RunOnce(5);   // not due: nothing runs
  EXPECT_EQ(store_->Get(id)->attempt, 1);
  clock_.AdvanceMs(9999);
  for (int i = 0; i < 5; ++i) runner_->RunOnce(5);
  EXPECT_EQ(store_->Get(id)->attempt, 1);
  clock_.AdvanceMs(1);
  ASSERT_TRUE(RunUntil([&] { return store_->Get(id)->attempt == 2 &&
                                    store_->Get(id)->state == JobState::kPending; }, 10000));
  EXPECT_EQ(store_->Get(id)->run_at_ms, clock_.NowMs() + 20000);  // 10 * 3 = 30, capped at 20
  clock_.AdvanceMs(20000);
  Expect(id, JobState::kDead);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const Attempt& a = (*attempts)[i];
    EXPECT_EQ(a.number, i + 1);
    EXPECT_EQ(a.outcome, AttemptOutcome::kFailed);
    EXPECT_EQ(a.exit_code, 3);
    EXPECT_TRUE(a.ended_ms.has_value());
    EXPECT_EQ(baton::testing::ReadFile(a.stdout_path), "try " + std::to_string(i + 1) + "\n");
  }

  // Dead letter -> retry: fresh attempts (the backoff starts over), numbering continues.
  ASSERT_TRUE(store_->Requeue(id, "", clock_.NowMs()).ok());
  ASSERT_TRUE(RunUntil([&] { return store_->Get(id)->attempt == 4 &&
                                    store_->Get(id)->state == JobState::kPending; }, 10000));
  EXPECT_EQ(store_->Get(id)->run_at_ms, clock_.NowMs() + 10000);
  clock_.AdvanceMs(10000);
  ASSERT_TRUE(RunUntil([&] { return store_->Get(id)->attempt == 5 &&
                                    store_->Get(id)->state == JobState::kPending; }, 10000));
  clock_.AdvanceMs(20000);
  Expect(id, JobState::kDead);
  EXPECT_EQ(store_->Attempts(id)->size(), 6u);
}

TEST_F(RetryAttemptsTest, RetryOnDecidesWhichFailuresRetry) {
  StartRunner({}, &clock_);
  struct Case { const char* script; nlohmann::json retry_on; JobState final_state; size_t attempts; };
  const Case kCases[] = {
      {"exit 2", {2}, JobState::kDead, 2},        // listed exit code: retried
      {"exit 3", {2}, JobState::kFailed, 1},      // other code: not retried
      {"kill -KILL $$", {"signal"}, JobState::kDead, 2},
      {"kill -KILL $$", {"nonzero"}, JobState::kFailed, 1},
      {"exit 0", {"nonzero"}, JobState::kSucceeded, 1},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.script + std::string(" retry_on ") + c.retry_on.dump());
    JobId id = Enqueue({{"command", {"sh", "-c", c.script}},
                        {"retry", {{"max_attempts", 2}, {"initial_delay", 0}, {"retry_on", c.retry_on}}}},
                       clock_);
    Expect(id, c.final_state);
    EXPECT_EQ(store_->Attempts(id)->size(), c.attempts);
  }
}

}  // namespace
}  // namespace baton
