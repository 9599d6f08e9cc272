#include "server/runner/retry_decision.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(RetryDecisionTest, BackoffGrowsAndIsCapped) {
  RetryPolicy p;
  p.initial_delay_s = 1;
  p.multiplier = 2;
  p.max_delay_s = 10;
  p.jitter = Jitter::kNone;
  struct Case { int attempt; int64_t ms; };
  const Case kCases[] = {{1, 1000}, {2, 2000}, {3, 4000}, {4, 8000}, {5, 10000}, {30, 10000}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.attempt);
    EXPECT_EQ(BackoffDelayMs(p, c.attempt, 0.5), c.ms);
  }
  p.jitter = Jitter::kFull;
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.0), 0);
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.25), 1000);
  p.jitter = Jitter::kEqual;
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.0), 2000);
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.5), 3000);
}

TEST(RetryDecisionTest, DecidesRetryFailDeadByPolicy) {
  RetryPolicy three;
  three.max_attempts = 3;
  three.jitter = Jitter::kNone;
  RetryPolicy once;  // defaults: one attempt
  RetryPolicy only_code_2 = three;
  only_code_2.on_nonzero = only_code_2.on_timeout = only_code_2.on_lost = only_code_2.on_signal = false;
  only_code_2.exit_codes = {2};  // what "retry_on": [2] parses to
  using O = AttemptOutcome;
  using S = JobState;
  struct Case { const RetryPolicy* p; int attempt; O outcome; std::optional<int> code; S next; };
  const Case kCases[] = {
      {&three, 1, O::kSucceeded, 0, S::kSucceeded},
      {&three, 1, O::kFailed, 1, S::kPending},
      {&three, 3, O::kFailed, 1, S::kDead},
      {&once, 1, O::kFailed, 1, S::kFailed},
      {&three, 1, O::kTimeout, std::nullopt, S::kPending},
      {&three, 1, O::kLost, std::nullopt, S::kPending},
      {&three, 1, O::kCancelled, std::nullopt, S::kCancelled},
      {&three, 1, O::kSpawnError, std::nullopt, S::kFailed},
      {&three, 1, O::kDenied, std::nullopt, S::kCancelled},
      {&three, 1, O::kExpansionDenied, std::nullopt, S::kFailed},  // not retried
      {&only_code_2, 1, O::kFailed, 1, S::kFailed},
      {&only_code_2, 1, O::kFailed, 2, S::kPending},
      {&only_code_2, 1, O::kTimeout, std::nullopt, S::kFailed},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(ToString(c.outcome)) + " attempt " + std::to_string(c.attempt));
    RetryDecision d = DecideAfterAttempt(*c.p, c.attempt, c.outcome, c.code, 10000, 0.5);
    EXPECT_EQ(d.next, c.next);
    if (d.next == S::kPending) {
      EXPECT_EQ(d.run_at_ms, 10000 + BackoffDelayMs(*c.p, c.attempt, 0.5));
    }
  }
}

}  // namespace
}  // namespace baton
