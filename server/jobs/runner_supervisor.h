// server/jobs/runner_supervisor.h
//
// Keeps a runner serving a database while a front-end lives. Front-ends start a runner when they
// open and on enqueue/cancel; a runner killed later (the OOM killer, a crash) left queued jobs
// unserved while agents only read (`status`, waits). Every period the supervisor checks whether a
// runner holds the database's runner lock and, when none does and work is unfinished, starts one
// through RunnerControl::Wake (which then recovers the dead runner's orphaned attempts as on any
// start). Thread: one, stopped by the destructor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "server/jobs/runner_control.h"
#include "storage/job_store.h"

namespace baton {

// Whether some process holds the runner lock at `lock_path` (server/jobs/state_paths.h). Probes
// without waiting; a lock it could take is released at once. False when the file does not exist.
bool RunnerHoldsLock(const std::string& lock_path);

class RunnerSupervisor {
 public:
  static constexpr int64_t kDefaultPeriodMs = 1000;  // a dead runner is replaced within ~2 s

  RunnerSupervisor(JobStore& store, RunnerControl& control, std::string lock_path,
                   int64_t period_ms = kDefaultPeriodMs);
  ~RunnerSupervisor();
  RunnerSupervisor(const RunnerSupervisor&) = delete;
  RunnerSupervisor& operator=(const RunnerSupervisor&) = delete;

 private:
  void Loop();
  // One look: starts a runner when none holds the lock and work is unfinished.
  void Check();

  JobStore& store_;
  RunnerControl& control_;
  const std::string lock_path_;
  const int64_t period_ms_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace baton
