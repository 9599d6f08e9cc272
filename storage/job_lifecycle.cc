#include "storage/job_lifecycle.h"

namespace baton {

bool CanTransition(JobState from, JobState to) {
  using S = JobState;
  switch (from) {
    case S::kPending:  // dependencies met / run_at reached; or resolved without running
      return to == S::kQueued || to == S::kCancelled || to == S::kSkipped;
    case S::kQueued:
      return to == S::kRunning || to == S::kCancelled || to == S::kSkipped ||
             to == S::kPending;  // a paused or re-delayed job
    case S::kRunning:  // an attempt ends; kPending = retry after backoff; kQueued = retry now
      return to == S::kSucceeded || to == S::kFailed || to == S::kDead ||
             to == S::kCancelled || to == S::kPending || to == S::kQueued;
    case S::kFailed:
    case S::kDead:
    case S::kCancelled:
    case S::kSkipped:  // an explicit retry re-queues with fresh attempts
      return to == S::kQueued;
    case S::kSucceeded:
      return false;
  }
  return false;
}

}  // namespace baton
