#include "server/cli/stop_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

namespace baton {

namespace {

std::atomic<int> g_stop_pipe{-1};

void OnStopSignal(int) {
  char c = 1;
  if (int fd = g_stop_pipe.load(); fd >= 0) (void)!write(fd, &c, 1);
}

}  // namespace

Result<std::unique_ptr<StopSignal>> StopSignal::Install() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + strerror(errno));
  std::unique_ptr<StopSignal> stop(new StopSignal(fds[0], fds[1]));
  g_stop_pipe.store(fds[1]);
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop;
}

StopSignal::~StopSignal() {
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  g_stop_pipe.store(-1);
  close(read_fd_);
  close(write_fd_);
}

void StopSignal::Wait() {
  char c;
  while (read(read_fd_, &c, 1) < 0 && errno == EINTR) {
  }
}

}  // namespace baton
