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
// one) is logged and not kept. An end that is not kept while its attempt is still open is found
// again by the runner's reconciliation (Runner::RecoverOpenAttempts) and recorded `lost`.
//
// An attempt whose process and output paths could not be recorded when it started
// (JobStore::RecordSpawn) has them written first, with its end: `baton logs` and a follow-up's
// {{prev.stdout}} find its output. Not thread-safe: the runner's thread only.
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

// What JobStore::RecordSpawn writes when an attempt starts.
struct SpawnRecord {
  int pid = 0;
  int64_t start_ticks = 0;
  std::string stdout_path, stderr_path;
};

enum class RecordResult {
  kWritten,  // in the database now
  kHeld,     // storage failed: kept, written again by RetryDue()
  kRefused,  // not written and not kept (a final refusal, or too many ends held)
};

class AttemptEndRecorder {
 public:
  explicit AttemptEndRecorder(JobStore& store) : store_(store) {}

  // Records `end`, which happened at `ended_ms` (wall clock), after `unrecorded_spawn` when its
  // start could not be recorded (null otherwise).
  RecordResult Record(const AttemptEnd& end, int64_t ended_ms, int64_t now_mono,
                      const SpawnRecord* unrecorded_spawn = nullptr);
  // Records again the held ends whose backoff has elapsed, oldest first (each has its own
  // backoff). Returns how many were written.
  int RetryDue(int64_t now_mono);
  // When RetryDue() next has something to do (monotonic ms), or nullopt when nothing is held.
  std::optional<int64_t> NextRetryMono() const;
  size_t held() const { return held_.size(); }
  bool Holds(JobId job_id, int attempt) const;
  // On shutdown: one last try for each held end; those still refused are logged by job.
  void FlushOnShutdown(int64_t now_mono);

 private:
  struct Held {
    AttemptEnd end;
    std::optional<SpawnRecord> spawn;  // still to write before the end
    int64_t ended_ms = 0;
    int tries = 0;
    int64_t held_since_mono = 0;
    int64_t next_try_mono = 0;
    int64_t delay_ms = kFirstRecordRetryMs;
    std::string last_error;
  };
  // Writes the spawn record (if any, then forgotten) and the end.
  Status Write(Held& h);
  RecordResult Hold(Held h, const Status& why, int64_t now_mono);

  JobStore& store_;
  std::deque<Held> held_;
};

// True for a failure of storage itself (busy, I/O error, disk full, read-only): the write may
// succeed later. False for OK and for refusals that repeating cannot change.
bool IsStorageFailure(const Status& s);

}  // namespace baton
