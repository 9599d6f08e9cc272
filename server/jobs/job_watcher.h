// server/jobs/job_watcher.h
//
// Lets a front-end's threads sleep until some job changes, across processes: the watcher binds
// its own doorbell, registers it in the database, and the runner rings every registered doorbell
// when a job starts or finishes (a front-end does too when it cancels a queued job). Waiters block on a condition variable with a bounded timeout (a lost ring
// can only delay a wake-up by that bound, never lose it). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "storage/job_store.h"
#include "transport/doorbell.h"

namespace baton {

class JobWatcher {
 public:
  explicit JobWatcher(JobStore& store);
  ~JobWatcher();  // Shutdown()

  // Binds the doorbell `bell_name` and starts listening.
  Status Start(const std::string& bell_name);
  void Shutdown();  // idempotent; wakes every waiter

  // A counter that grows with each ring.
  uint64_t generation();
  // Waits until generation() != seen, the timeout passes, or Shutdown(). Returns generation().
  uint64_t WaitForChange(uint64_t seen, int timeout_ms);
  // Wakes waiters as if rung (a job changed in this process).
  void Notify();

  // Rings every front-end registered in the database: the runner after the jobs it runs change,
  // a front-end after a change it made alone (a queued job cancelled). Bells nobody answers
  // any more (their process is gone) are unregistered.
  static void RingAll(JobStore& store);

 private:
  JobStore& store_;
  std::string bell_name_;
  transport::Doorbell bell_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace baton
