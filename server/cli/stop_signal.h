// server/cli/stop_signal.h
//
// SIGTERM and SIGINT as an event a long-running command waits for (`serve --http`, `web`): a
// self-pipe, so the handler only writes a byte and the shutdown runs on the main thread. SIGPIPE
// is ignored too: a peer that went away is an error on the write, never the process's death.
// One per process; the handlers go back to their defaults when it is destroyed.
#pragma once

#include <memory>

#include "base/result.h"

namespace baton {

class StopSignal {
 public:
  // Internal when the pipe cannot be made.
  static Result<std::unique_ptr<StopSignal>> Install();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Returns once SIGTERM or SIGINT has arrived (at once when one already has).
  void Wait();

 private:
  StopSignal(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}
  int read_fd_, write_fd_;
};

}  // namespace baton
