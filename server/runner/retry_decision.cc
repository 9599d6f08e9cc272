#include "server/runner/retry_decision.h"

#include <algorithm>
#include <cmath>

namespace baton {

int64_t BackoffDelayMs(const RetryPolicy& p, int attempt, double random01) {
  double d = p.initial_delay_s * std::pow(p.multiplier, std::max(0, attempt - 1));
  d = std::min(d, p.max_delay_s);
  switch (p.jitter) {
    case Jitter::kFull: d = d * random01; break;
    case Jitter::kEqual: d = d / 2 + (d / 2) * random01; break;
    case Jitter::kNone: break;
  }
  return static_cast<int64_t>(std::llround(d * 1000));
}

bool IsRetryable(const RetryPolicy& p, AttemptOutcome outcome, std::optional<int> exit_code) {
  switch (outcome) {
    case AttemptOutcome::kFailed:
      if (p.on_nonzero) return true;
      return exit_code &&
             std::binary_search(p.exit_codes.begin(), p.exit_codes.end(), *exit_code);
    case AttemptOutcome::kTimeout:
    case AttemptOutcome::kInactivityTimeout:
      return p.on_timeout;
    case AttemptOutcome::kLost:
      return p.on_lost;
    case AttemptOutcome::kSignaled:
      return p.on_signal;
    case AttemptOutcome::kVerifyFailed:
      return p.on_verify_failed;
    case AttemptOutcome::kSucceeded:
    case AttemptOutcome::kCancelled:
    case AttemptOutcome::kSpawnError:  // a wrong command does not fix itself
    case AttemptOutcome::kDenied:
    case AttemptOutcome::kExpansionDenied:  // the same output expands the same way again
    case AttemptOutcome::kOutputError:  // the command may have done its work: not run blind again
      return false;
  }
  return false;
}

RetryDecision DecideAfterAttempt(const RetryPolicy& p, int attempt, AttemptOutcome outcome,
                                 std::optional<int> exit_code, int64_t now_ms, double random01) {
  if (outcome == AttemptOutcome::kSucceeded) return {JobState::kSucceeded, 0};
  // A job the policy denied was stopped before it ran, as if cancelled.
  if (outcome == AttemptOutcome::kCancelled || outcome == AttemptOutcome::kDenied)
    return {JobState::kCancelled, 0};
  if (!IsRetryable(p, outcome, exit_code)) return {JobState::kFailed, 0};
  if (attempt < p.max_attempts)
    return {JobState::kPending, now_ms + BackoffDelayMs(p, attempt, random01)};
  return {p.max_attempts > 1 ? JobState::kDead : JobState::kFailed, 0};
}

}  // namespace baton
