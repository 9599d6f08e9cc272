// server/jobs/runner_control.h
//
// How a front-end makes sure a runner serves its database: ring the runner's doorbell; when
// nobody answers, start `baton runner` detached (its own session, not a child of the MCP client,
// so closing Claude Code or killing the front-end's process group never touches it) and wait
// until it answers. The runner exits by itself when idle. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/jobs/state_paths.h"

namespace baton {

struct RunnerLaunch {
  std::string executable;             // the baton binary (/proc/self/exe)
  std::vector<std::string> extra_args;  // e.g. --idle-exit 30 --concurrency 4
  bool enabled = true;                // false when the runner is hosted in-process
};

class RunnerControl {
 public:
  RunnerControl(StatePaths paths, RunnerLaunch launch);

  // Wakes the runner, starting one first when none answers. Unavailable when none could be
  // started within a few seconds (the job stays queued: it is durable either way).
  Status Wake();

  // While held (a group commit is open), Wake() only notes that a wake is owed: the runner must
  // not look before the jobs are committed, or it finds nothing and sleeps. Release() rings once
  // for all of them.
  void Hold();
  Status Release();

 private:
  Status SpawnDetached();

  StatePaths paths_;
  RunnerLaunch launch_;
  std::mutex mu_;
  std::mutex hold_mu_;
  bool held_ = false, owed_ = false;
};

}  // namespace baton
