// server/runner/executor.h
//
// Executor runs the attempts the runner claimed; the runner keeps the claim and record logic
// (what to run, how an end is judged and written, retries, recovery) and an executor only where
// and how a command runs: a local process group today (server/runner/local_executor.h), a remote
// worker later. An executor is driven by the runner's loop: Launch() starts an attempt, the loop
// polls the executor's wake fds and calls Collect(), which hands back the attempts that ended.
// Every attempt launched is handed back exactly once by Collect(), however it ended (exited,
// stopped for a timeout, cancelled, lost at shutdown). Not thread-safe: the runner's thread only.
#pragma once

#include <poll.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/job.h"

namespace baton {

// One attempt, as it is to run: the command with placeholders expanded and the full environment.
struct LaunchRequest {
  JobId job_id = 0;
  int attempt = 0;
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // "KEY=value"
  std::optional<std::string> stdin_data;
  // The attempt's files under logs/<job>/: output copies (capped) and its stdin.
  std::string stdout_path, stderr_path, stdin_path;
  double timeout_s = 0;             // wall clock; 0 = none
  double inactivity_timeout_s = 0;  // no output for this long; 0 = none
};

struct LaunchResult {
  // Set when the attempt did not start (kSpawnError, kOutputError): its outcome, with `error`.
  std::optional<AttemptOutcome> refused;
  std::string error;
  int pid = 0;  // the process (group) that runs it, for recovery after a crash; 0 when remote
  int64_t start_ticks = 0;
};

// How a launched attempt ended.
struct AttemptExit {
  JobId job_id = 0;
  int attempt = 0;
  std::optional<int> exit_code;
  std::optional<int> signal;
  // Why the executor stopped it (kTimeout, kInactivityTimeout, or the reason given to Stop()).
  std::optional<AttemptOutcome> stopped_for;
  std::string stdout_tail, stderr_tail;
  std::string output_error;  // the first failure to keep its output; "" when all was kept
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Starts the attempt, or says why it could not start (nothing of it then runs).
  virtual LaunchResult Launch(const LaunchRequest& request) = 0;
  // Stops a running attempt for `reason` (kCancelled, kLost): asks it to end, forces it after a
  // grace. Its end is still handed back by Collect(). No-op for an attempt not running.
  virtual void Stop(JobId job_id, int attempt, AttemptOutcome reason) = 0;
  // The descriptors whose readiness means Collect() has something to do.
  virtual void AddWakeFds(std::vector<pollfd>* fds) const = 0;
  // Reads output, notices exits, enforces timeouts; returns the attempts that ended.
  virtual std::vector<AttemptExit> Collect(int64_t now_mono) = 0;
  // When Collect() next has work that no descriptor announces (a timeout, a kill grace), if any.
  virtual std::optional<int64_t> NextDeadlineMono() const = 0;
  // Attempts launched and not yet handed back.
  virtual size_t running() const = 0;
};

}  // namespace baton
