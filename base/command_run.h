// base/command_run.h
//
// A short helper command (git, for job worktrees) run to its end: argv (no shell) in its own
// process group, stdout and stderr captured (bounded), killed with its group past a deadline.
// For commands that take a fraction of a second; a job's own process goes through the executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace baton {

struct CommandRun {
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // "KEY=value"; empty: the caller's environment
  int64_t timeout_ms = 60000;
  size_t max_output_bytes = 1 << 20;  // per stream; the rest is dropped
};

struct CommandResult {
  int exit_code = -1;  // -1 when it ended by a signal
  int signal = 0;
  std::string out, err;
  bool ok() const { return exit_code == 0; }
};

// The command's end, or an error when it could not start (InvalidArgument: not found, bad cwd)
// or did not end in time (DeadlineExceeded; its process group was killed).
Result<CommandResult> RunCommandToEnd(const CommandRun& run);

}  // namespace baton
