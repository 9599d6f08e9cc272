// base/child_process.h
//
// Starting a child process (a job's, for the runner; a notifier's command, for `baton notify`):
// argv (no shell) in its own process group, with a working directory, an environment, stdin
// from a file, a descriptor or /dev/null, and stdout/stderr on pipes the caller reads (or the
// caller's own). Signals are reset to defaults and unblocked in the child. Killing addresses the
// whole group, so grandchildren die with the process. Pure functions over the process table;
// a SpawnedProcess is owned by the thread that started it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace baton {

struct SpawnRequest {
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // "KEY=value"
  std::string stdin_path;        // empty: /dev/null
  int stdin_fd = -1;             // >= 0: the child's stdin (instead of stdin_path); the caller
                                 // keeps and closes it
  bool inherit_output = false;   // stdout/stderr are the caller's (no pipes)
};

struct SpawnedProcess {
  pid_t pid = -1;  // also the process group id
  int stdout_fd = -1;  // read ends, non-blocking, close-on-exec; -1 with inherit_output
  int stderr_fd = -1;
  int64_t start_ticks = 0;  // /proc/<pid>/stat starttime, to recognise the process later
};

// InvalidArgument with a clear message when the program is not found or the cwd is unusable.
Result<SpawnedProcess> SpawnProcess(const SpawnRequest& request);

// Sends `sig` to the process group `pgid`. No-op for pgid <= 1.
void SignalGroup(pid_t pgid, int sig);

// The start time of `pid` in clock ticks since boot, or -1 when there is no such process.
int64_t ProcessStartTicks(pid_t pid);

}  // namespace baton
