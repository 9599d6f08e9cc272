// server/runner/retry_decision.h
//
// What happens to a job after one of its attempts ends: done, retried after a backoff, failed,
// or dead (retries were configured and are exhausted). Pure functions; the random draw for
// jitter is passed in so tests pin it.
#pragma once

#include <cstdint>
#include <optional>

#include "storage/job.h"

namespace baton {

struct RetryDecision {
  JobState next = JobState::kFailed;  // kSucceeded, kFailed, kDead, kCancelled or kPending (retry)
  int64_t run_at_ms = 0;              // when kPending
};

// The delay before attempt `attempt + 1`, given `attempt` attempts have failed (attempt >= 1):
// min(max_delay, initial_delay * multiplier^(attempt-1)), then jitter ("full": uniform in
// [0, d]; "equal": d/2 + uniform in [0, d/2]; "none": d). `random01` is uniform in [0, 1).
int64_t BackoffDelayMs(const RetryPolicy& policy, int attempt, double random01);

// Whether `outcome` (with its exit code) is one the policy retries.
bool IsRetryable(const RetryPolicy& policy, AttemptOutcome outcome, std::optional<int> exit_code);

RetryDecision DecideAfterAttempt(const RetryPolicy& policy, int attempt, AttemptOutcome outcome,
                                 std::optional<int> exit_code, int64_t now_ms, double random01);

}  // namespace baton
