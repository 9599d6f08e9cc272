// server/runner/attempt_end_recorder.h
//
// AttemptEndRecorder writes how the runner's attempts ended (JobStore::FinishAttempt) and keeps
// every end that storage refused (an I/O error, a full disk, a read-only file, a database busy
// past busy_timeout) to record it again, with exponential backoff, until storage works again:
// a job whose end could not be written stays `running` only while storage fails, then ends with
// its real outcome, end time and output tail. Nothing is dropped silently: the first failure of
// each end is logged as an error, later ones at growing intervals, and the late write when it
// finally succeeds.
//
// The held ends live in memory, at most kMaxHeldAttemptEnds of them (each still counts as a
// running job in the database, so claims stop at the runner's concurrency long before). If the
// runner exits while holding some, their attempts stay open in the database and the next runner
// recovers them as `lost` (docs/guarantees.md, "When storage fails").
//
// An end the store refuses for good (FailedPrecondition: the attempt is no longer the running
// one) is logged and not kept. Not thread-safe: the runner's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "base/status.h"
#include "storage/job_store.h"

namespace baton {

inline constexpr size_t kMaxHeldAttemptEnds = 4096;
inline constexpr int64_t kFirstRecordRetryMs = 100;
inline constexpr int64_t kMaxRecordRetryMs = 2000;

class AttemptEndRecorder {
 public:
  explicit AttemptEndRecorder(JobStore& store) : store_(store) {}

  // Records `end`, which happened at `ended_ms` (wall clock). True when it is written now; false
  // when storage refused it (kept for RetryDue() unless the refusal is final or the store of
  // held ends is full).
  bool Record(const AttemptEnd& end, int64_t ended_ms, int64_t now_mono);
  // Records again the held ends whose backoff has elapsed, oldest first (each has its own
  // backoff). Returns how many were written.
  int RetryDue(int64_t now_mono);
  // When RetryDue() next has something to do (monotonic ms), or nullopt when nothing is held.
  std::optional<int64_t> NextRetryMono() const;
  size_t held() const { return held_.size(); }
  // On shutdown: one last try for each held end; those still refused are logged by job.
  void FlushOnShutdown(int64_t now_mono);

 private:
  struct Held {
    AttemptEnd end;
    int64_t ended_ms = 0;
    int tries = 0;
    int64_t held_since_mono = 0;
    int64_t next_try_mono = 0;
    int64_t delay_ms = kFirstRecordRetryMs;
    std::string last_error;
  };
  void Hold(const AttemptEnd& end, int64_t ended_ms, const Status& why, int64_t now_mono);

  JobStore& store_;
  std::deque<Held> held_;
};

// True for a failure of storage itself (busy, I/O error, disk full, read-only): the write may
// succeed later. False for OK and for refusals that repeating cannot change.
bool IsStorageFailure(const Status& s);

}  // namespace baton
