#include "server/runner/local_executor.h"

#include <errno.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/clock.h"
#include "base/child_process.h"
#include "server/runner/runner_recovery.h"
#include "storage/fault_plan.h"

namespace baton {

namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

LaunchResult Refused(AttemptOutcome outcome, std::string error) {
  LaunchResult r;
  r.refused = outcome;
  r.error = std::move(error);
  return r;
}

}  // namespace

LocalExecutor::LocalExecutor(LocalExecutorOptions options) : options_(std::move(options)) {}

LocalExecutor::~LocalExecutor() {
  for (auto& [pid, p] : running_) {
    SignalGroup(pid, SIGKILL);
    CloseFd(p->pidfd);
  }
}

LaunchResult LocalExecutor::Launch(const LaunchRequest& req) {
  // The output files first: a command whose output could not be kept is not started blind.
  std::string dir = std::filesystem::path(req.stdout_path).parent_path();
  std::error_code ec;
  if (storage::InjectFault("log.mkdir")) ec = std::make_error_code(std::errc::io_error);
  else std::filesystem::create_directories(dir, ec);
  if (ec) return Refused(AttemptOutcome::kOutputError, OutputNotWritten(dir, ec.message()));
  auto p = std::make_unique<Process>();
  for (auto [output, path] :
       {std::pair{&p->out, req.stdout_path}, std::pair{&p->err, req.stderr_path}})
    if (Status opened = output->OpenFile(path); !opened.ok())  // p closes what opened
      return Refused(AttemptOutcome::kOutputError, opened.message());
  SpawnRequest spawn;
  spawn.argv = req.argv;
  spawn.cwd = req.cwd;
  spawn.env = req.env;
  if (req.stdin_data) {
    spawn.stdin_path = req.stdin_path;
    if (Status written = WriteNewFile(req.stdin_path, *req.stdin_data); !written.ok())
      return Refused(AttemptOutcome::kSpawnError,
                     "its stdin could not be written: " + written.message());
  }
  auto spawned = SpawnProcess(spawn);
  if (!spawned.ok()) return Refused(AttemptOutcome::kSpawnError, spawned.status().message());
  p->job_id = req.job_id;
  p->attempt = req.attempt;
  p->pid = spawned->pid;
  p->pidfd = PidfdOpen(spawned->pid);  // -1 on old kernels: exits are then seen by the poll timeout
  p->out.pipe_fd = spawned->stdout_fd;
  p->err.pipe_fd = spawned->stderr_fd;
  p->timeout_s = req.timeout_s;
  p->inactivity_timeout_s = req.inactivity_timeout_s;
  p->started_mono = p->last_output_mono = MonotonicMs();
  LaunchResult r;
  r.pid = spawned->pid;
  r.start_ticks = spawned->start_ticks;
  running_[p->pid] = std::move(p);
  return r;
}

void LocalExecutor::Stop(JobId job_id, int attempt, AttemptOutcome reason) {
  for (auto& [pid, p] : running_)
    if (p->job_id == job_id && p->attempt == attempt && !p->exited)
      BeginKill(*p, reason, MonotonicMs());
}

void LocalExecutor::AddWakeFds(std::vector<pollfd>* fds) const {
  for (const auto& [pid, p] : running_) {
    if (p->pidfd >= 0) fds->push_back({p->pidfd, POLLIN, 0});
    if (p->out.pipe_fd >= 0) fds->push_back({p->out.pipe_fd, POLLIN, 0});
    if (p->err.pipe_fd >= 0) fds->push_back({p->err.pipe_fd, POLLIN, 0});
  }
}

std::vector<AttemptExit> LocalExecutor::Collect(int64_t) {
  for (auto& [pid, p] : running_) {
    ReadOutput(*p, p->out);
    ReadOutput(*p, p->err);
  }
  ReapChildren();
  int64_t now = MonotonicMs();
  EnforceDeadlines(now);
  std::vector<AttemptExit> ended;
  for (auto it = running_.begin(); it != running_.end();) {
    Process& p = *it->second;
    bool drained = p.out.pipe_fd < 0 && p.err.pipe_fd < 0;
    if (p.exited && (drained || now - p.exited_mono >= options_.drain_after_exit_ms)) {
      ended.push_back(Finish(p));
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::optional<int64_t> LocalExecutor::NextDeadlineMono() const {
  std::optional<int64_t> wake;
  auto at = [&](int64_t t) { wake = wake ? std::min(*wake, t) : t; };
  for (const auto& [pid, pp] : running_) {
    const Process& p = *pp;
    if (p.exited) {
      at(p.exited_mono + options_.drain_after_exit_ms);
      continue;
    }
    if (p.pidfd < 0) at(MonotonicMs() + 100);  // no pidfd: look for its exit regularly
    if (!p.kill_reason && p.timeout_s > 0)
      at(p.started_mono + static_cast<int64_t>(p.timeout_s * 1000));
    if (!p.kill_reason && p.inactivity_timeout_s > 0)
      at(p.last_output_mono + static_cast<int64_t>(p.inactivity_timeout_s * 1000));
    if (p.kill_reason && !p.hard_killed) at(p.kill_deadline_mono);
  }
  return wake;
}

void LocalExecutor::ReadOutput(Process& p, AttemptOutput& o) {
  char buf[65536];
  while (o.pipe_fd >= 0) {
    ssize_t n = read(o.pipe_fd, buf, sizeof buf);
    if (n > 0) {
      o.Append(buf, static_cast<size_t>(n));
      p.last_output_mono = MonotonicMs();
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    CloseFd(o.pipe_fd);  // EOF or error
  }
}

void LocalExecutor::ReapChildren() {
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = running_.find(pid);
    if (it == running_.end()) continue;  // a re-parented grandchild: reaped, nothing to record
    Process& p = *it->second;
    p.exited = true;
    p.wait_status = status;
    p.exited_mono = MonotonicMs();
    CloseFd(p.pidfd);
    // Whatever is left of a group being killed dies now, leader gone or not.
    if (p.kill_reason) SignalGroup(p.pid, SIGKILL);
  }
}

void LocalExecutor::BeginKill(Process& p, AttemptOutcome reason, int64_t now_mono) {
  if (p.kill_reason) return;
  p.kill_reason = reason;
  p.kill_deadline_mono = now_mono + static_cast<int64_t>(options_.kill_grace_s * 1000);
  spdlog::info("job {}: stopping process group {} ({})", p.job_id, p.pid, ToString(reason));
  SignalGroup(p.pid, SIGTERM);
}

void LocalExecutor::EnforceDeadlines(int64_t now) {
  for (auto& [pid, pp] : running_) {
    Process& p = *pp;
    if (p.exited) continue;
    if (!p.kill_reason && p.timeout_s > 0 && now - p.started_mono >= p.timeout_s * 1000)
      BeginKill(p, AttemptOutcome::kTimeout, now);
    if (!p.kill_reason && p.inactivity_timeout_s > 0 &&
        now - p.last_output_mono >= p.inactivity_timeout_s * 1000)
      BeginKill(p, AttemptOutcome::kInactivityTimeout, now);
    if (p.kill_reason && !p.hard_killed && now >= p.kill_deadline_mono) {
      SignalGroup(p.pid, SIGKILL);
      p.hard_killed = true;
    }
  }
}

AttemptExit LocalExecutor::Finish(Process& p) {
  // A job that was stopped (timeout, inactivity, cancel) leaves nothing behind, not even
  // processes that moved to another process group or session.
  if (p.kill_reason) KillJobProcesses(options_.db, options_.runner_id, p.job_id);
  ReadOutput(p, p.out);
  ReadOutput(p, p.err);
  CloseFd(p.out.pipe_fd);
  CloseFd(p.err.pipe_fd);
  p.out.CloseFile();
  p.err.CloseFile();
  AttemptExit e;
  e.job_id = p.job_id;
  e.attempt = p.attempt;
  if (WIFEXITED(p.wait_status)) e.exit_code = WEXITSTATUS(p.wait_status);
  if (WIFSIGNALED(p.wait_status)) e.signal = WTERMSIG(p.wait_status);
  e.stopped_for = p.kill_reason;
  e.stdout_tail = std::move(p.out.tail);
  e.stderr_tail = std::move(p.err.tail);
  e.output_error = p.out.write_error.empty() ? p.err.write_error : p.out.write_error;
  return e;
}

}  // namespace baton
