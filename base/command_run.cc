#include "base/command_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/child_process.h"
#include "base/clock.h"

extern char** environ;

namespace baton {

Result<CommandResult> RunCommandToEnd(const CommandRun& run) {
  SpawnRequest req;
  req.argv = run.argv;
  req.cwd = run.cwd;
  req.env = run.env;
  if (req.env.empty())
    for (char** e = environ; *e; ++e) req.env.emplace_back(*e);
  BATON_ASSIGN_OR_RETURN(SpawnedProcess child, SpawnProcess(req));
  CommandResult result;
  const int64_t deadline = MonotonicMs() + run.timeout_ms;
  int fds[2] = {child.stdout_fd, child.stderr_fd};
  std::string* sinks[2] = {&result.out, &result.err};
  bool timed_out = false;
  while (fds[0] >= 0 || fds[1] >= 0) {
    int64_t left = deadline - MonotonicMs();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p[2];
    int n = 0, which[2];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        p[n] = {fds[i], POLLIN, 0};
        which[n++] = i;
      }
    int r = poll(p, n, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (r < 0 && errno != EINTR) break;
    for (int k = 0; k < n && r > 0; ++k) {
      if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[16384];
      ssize_t got = read(p[k].fd, buf, sizeof buf);
      if (got > 0) {
        std::string& sink = *sinks[which[k]];
        sink.append(buf, std::min(static_cast<size_t>(got), run.max_output_bytes - std::min(run.max_output_bytes, sink.size())));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fds[which[k]]);
        fds[which[k]] = -1;
      }
    }
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  if (timed_out) SignalGroup(child.pid, SIGKILL);  // what it started dies with it
  int st = 0;
  // Both pipes are closed: the command has ended or is ending (a grandchild holding them open
  // past the deadline was killed with the group).
  while (true) {
    pid_t w = waitpid(child.pid, &st, timed_out ? 0 : WNOHANG);
    if (w == child.pid) break;
    if (w < 0 && errno != EINTR) return Status::Internal("waiting for " + run.argv[0] + " failed");
    if (w == 0) {
      if (MonotonicMs() > deadline) {
        SignalGroup(child.pid, SIGKILL);
        timed_out = true;
        continue;
      }
      usleep(2000);
    }
  }
  if (timed_out)
    return Status::DeadlineExceeded(run.argv[0] + " did not finish within " +
                                    std::to_string(run.timeout_ms / 1000) + " s");
  if (WIFEXITED(st)) result.exit_code = WEXITSTATUS(st);
  else if (WIFSIGNALED(st)) result.signal = WTERMSIG(st);
  return result;
}

}  // namespace baton
