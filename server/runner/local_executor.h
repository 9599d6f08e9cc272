// server/runner/local_executor.h
//
// LocalExecutor runs attempts as local processes (base/child_process.h): each in its own
// process group, its stdout/stderr on pipes copied to capped files
// (server/runner/attempt_output.h), stdin from a file it writes first. It enforces the wall-clock and inactivity timeouts and stops
// an attempt with SIGTERM to its group, then SIGKILL after the kill grace; a stopped attempt also
// loses its processes that left the group (BATON_JOB_ID, server/runner/runner_recovery.h).
//
// A command whose output cannot be kept is not started: when its log directory or output files
// cannot be created, Launch() refuses with kOutputError; when its stdin file cannot be written,
// with kSpawnError. Each of these steps passes a fault-injection point (storage/fault_plan.h:
// log.mkdir, log.open, log.write, stdin.write) so that tests can fail it.
//
// The process that owns a LocalExecutor should be a child subreaper (Runner::Acquire makes it
// one): Collect() reaps every child, re-parented grandchildren too. Runner thread only.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include "server/runner/attempt_output.h"
#include "server/runner/executor.h"

namespace baton {

struct LocalExecutorOptions {
  std::string db;         // BATON_DB of the jobs' processes, to find those that left the group
  std::string runner_id;  // BATON_RUNNER of the jobs' processes
  double kill_grace_s = 0;
  int64_t drain_after_exit_ms = 200;  // how long to keep reading pipes a grandchild holds open
};

class LocalExecutor : public Executor {
 public:
  explicit LocalExecutor(LocalExecutorOptions options);
  ~LocalExecutor() override;  // kills what still runs (SIGKILL to each group)

  LaunchResult Launch(const LaunchRequest& request) override;
  void Stop(JobId job_id, int attempt, AttemptOutcome reason) override;
  void AddWakeFds(std::vector<pollfd>* fds) const override;
  std::vector<AttemptExit> Collect(int64_t now_mono) override;
  std::optional<int64_t> NextDeadlineMono() const override;
  size_t running() const override { return running_.size(); }

 private:
  struct Process {
    JobId job_id = 0;
    int attempt = 0;
    pid_t pid = -1;
    int pidfd = -1;
    AttemptOutput out, err;
    double timeout_s = 0, inactivity_timeout_s = 0;
    int64_t started_mono = 0;
    int64_t last_output_mono = 0;
    bool exited = false;
    int wait_status = 0;
    int64_t exited_mono = 0;
    std::optional<AttemptOutcome> kill_reason;
    int64_t kill_deadline_mono = 0;  // SIGKILL after this
    bool hard_killed = false;
  };

  void ReadOutput(Process& p, AttemptOutput& o);
  void ReapChildren();
  void EnforceDeadlines(int64_t now_mono);
  void BeginKill(Process& p, AttemptOutcome reason, int64_t now_mono);
  AttemptExit Finish(Process& p);

  LocalExecutorOptions options_;
  std::map<pid_t, std::unique_ptr<Process>> running_;
};

}  // namespace baton
