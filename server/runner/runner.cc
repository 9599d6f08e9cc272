#include "server/runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/random_id.h"
#include "base/child_process.h"
#include "server/runner/expanded_job_check.h"
#include "server/runner/job_output.h"
#include "server/jobs/placeholders.h"
#include "server/jobs/job_watcher.h"
#include "server/runner/retention.h"
#include "server/runner/retry_decision.h"
#include "server/runner/runner_recovery.h"
#include "server/runner/runner_created_job_check.h"
#include "server/runner/schedule_firing.h"

extern char** environ;

namespace baton {

namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

Runner::Runner(JobStore& store, StatePaths paths, RunnerOptions options, const Clock& clock)
    : store_(store),
      paths_(std::move(paths)),
      options_(options),
      clock_(clock),
      id_(RandomHexId(8)),
      rng_(std::random_device{}()),
      recorder_(store) {
  if (options_.concurrency <= 0)
    options_.concurrency = std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  shutdown_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) base_env_[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
  }
  base_env_.erase("BATON_PREV_OUTPUT_FILE");
  base_env_["BATON_DB"] = paths_.db;
  base_env_["BATON_RUNNER"] = id_;  // recognises the job's processes if this runner dies
}

Runner::~Runner() {
  Shutdown();
  Join();
  StopAll();
  recorder_.FlushOnShutdown(MonotonicMs());
  bell_.Close();
  CloseFd(lock_fd_);
  CloseFd(shutdown_fd_);
}

Status Runner::Acquire(int lock_wait_ms) {
  lock_fd_ = open(paths_.runner_lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0)
    return Status::FailedPrecondition("cannot open " + paths_.runner_lock + ": " + strerror(errno));
  int64_t deadline = MonotonicMs() + lock_wait_ms;
  while (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (MonotonicMs() >= deadline) {
      CloseFd(lock_fd_);
      return Status::FailedPrecondition("another runner serves " + paths_.db);
    }
    usleep(20000);
  }
  // The previous holder may still be closing its doorbell: retry the bind briefly.
  Status bound;
  for (int i = 0; i < 100; ++i) {
    bound = bell_.Bind(paths_.runner_bell);
    if (bound.ok() || bound.code() != StatusCode::kAlreadyExists) break;
    usleep(20000);
  }
  BATON_RETURN_IF_ERROR(bound);
  // Orphaned grandchildren of our jobs are re-parented to us, so we reap them: no zombies.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  BATON_RETURN_IF_ERROR(store_.RegisterRunner(id_, getpid(), clock_.NowMs()));
  // Not fatal: each job then ends `output_error` with the reason, which is where users look.
  std::error_code ec;
  std::filesystem::create_directories(paths_.logs_dir, ec);
  if (ec) spdlog::error("cannot create the log directory {}: {}", paths_.logs_dir, ec.message());
  RecoverOrphans();
  spdlog::info("runner {} serves {} (concurrency {})", id_, paths_.db, options_.concurrency);
  return Status::OK();
}

void Runner::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Runner::Join() {
  if (thread_.joinable()) thread_.join();
}

void Runner::Shutdown() {
  stop_.store(true);
  uint64_t one = 1;
  if (shutdown_fd_ >= 0) (void)!write(shutdown_fd_, &one, sizeof one);
}

void Runner::Run() {
  while (RunOnce(-1)) {
  }
  StopAll();
  recorder_.FlushOnShutdown(MonotonicMs());
}

std::vector<std::string> Runner::JobEnvironment(const Job& job, int attempt,
                                                const std::string& prev_out) {
  std::map<std::string, std::string> env = base_env_;
  for (const auto& [k, v] : job.spec.env) env[k] = v;
  env["BATON_JOB_ID"] = std::to_string(job.id);
  env["BATON_ATTEMPT"] = std::to_string(attempt);
  env["BATON_DB"] = paths_.db;
  env["BATON_RUNNER"] = id_;
  if (!prev_out.empty()) env["BATON_PREV_OUTPUT_FILE"] = prev_out;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

void Runner::ClaimAndStart() {
  int claimed = 0;
  while (!stop_ && running_.size() < static_cast<size_t>(options_.concurrency)) {
    auto claim = store_.ClaimNext(id_, options_.concurrency, clock_.NowMs());
    if (!claim_failures_.Report(claim.status())) break;
    if (!claim->has_value()) break;
    Start(std::move(**claim));
    ++claimed;
  }
  // Jobs that started are news too (resources/updated, the drainer): one ring per pass.
  if (claimed > 0) RingFrontends();
}

void Runner::Start(Claim claim) {
  Job& job = claim.job;
  const int attempt = claim.attempt;
  if (options_.job_checker)  // jobs the runner created itself pass the policy first
    if (std::string denied = DenialOfRunnerCreatedJob(store_, *options_.job_checker, job, attempt);
        !denied.empty())
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kDenied, denied);
  // Resolve the predecessor's result for placeholders and BATON_PREV_OUTPUT_FILE.
  JobOutputResolver resolver(store_, job);
  auto expand = [&](const std::string& text) {
    return ExpandPlaceholders(text, [&](const PlaceholderRef& ref) { return resolver.Value(ref); });
  };
  JobSpec expanded = job.spec;
  for (std::string& arg : expanded.command) {
    auto a = expand(arg);
    if (!a.ok()) return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, a.status().message());
    arg = std::move(*a);
  }
  for (auto& [k, v] : expanded.env) {
    auto e = expand(v);
    if (!e.ok()) return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, e.status().message());
    v = std::move(*e);
  }
  if (expanded.stdin_data) {
    auto in = expand(*expanded.stdin_data);
    if (!in.ok()) return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, in.status().message());
    expanded.stdin_data = std::move(*in);
  }
  // Every earlier check judged the placeholders, not what they expand to: judge what will run.
  if (options_.job_checker && ExpansionChangedSpec(job.spec, expanded))
    if (std::string denied = DenialOfExpandedJob(*options_.job_checker, job, expanded, attempt);
        !denied.empty())
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kExpansionDenied, denied);

  SpawnRequest req;
  req.cwd = job.spec.cwd;
  req.argv = expanded.command;
  Job with_env = job;
  with_env.spec.env = expanded.env;
  req.env = JobEnvironment(with_env, attempt, resolver.PrevOutputPath());

  // The output files first: a command whose output could not be kept is not started blind.
  std::string dir = paths_.logs_dir + "/" + std::to_string(job.id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return FinishWithoutProcess(job, attempt, AttemptOutcome::kOutputError,
                                OutputNotWritten(dir, ec.message()));
  std::string base = dir + "/" + std::to_string(attempt);
  auto r = std::make_unique<Running>();
  for (auto [output, path] : {std::pair{&r->out, base + ".out"}, std::pair{&r->err, base + ".err"}})
    if (Status opened = output->OpenFile(path); !opened.ok())  // r closes what opened
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kOutputError, opened.message());
  if (expanded.stdin_data) {
    req.stdin_path = base + ".in";
    if (Status written = WriteNewFile(req.stdin_path, *expanded.stdin_data); !written.ok())
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError,
                                  "its stdin could not be written: " + written.message());
  }
  auto spawned = SpawnProcess(req);
  if (!spawned.ok())
    return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, spawned.status().message());

  r->job = std::move(job);
  r->attempt = attempt;
  r->pid = spawned->pid;
  r->pidfd = PidfdOpen(spawned->pid);
  r->out.pipe_fd = spawned->stdout_fd;
  r->err.pipe_fd = spawned->stderr_fd;
  r->started_mono = r->last_output_mono = MonotonicMs();
  Status s = store_.RecordSpawn(r->job.id, attempt, r->pid, spawned->start_ticks, base + ".out",
                                base + ".err");
  // The job runs on and its end is recorded; only a crash of this runner would need the pid (its
  // processes are then still found by BATON_RUNNER) and `baton logs` the paths.
  if (!s.ok())
    spdlog::error("job {} attempt {}: could not record its process {} and output files: {}",
                  r->job.id, attempt, r->pid, s.ToString());
  spdlog::debug("job {} attempt {} started as pid {}", r->job.id, attempt, r->pid);
  running_[r->pid] = std::move(r);
}

void Runner::FinishWithoutProcess(const Job& job, int attempt, AttemptOutcome outcome,
                                  const std::string& error) {
  spdlog::warn("job {} could not start: {}", job.id, error);
  Record(job, attempt, outcome, std::nullopt, std::nullopt, error, "", "");
  dirty_ = true;
}

void Runner::Record(const Job& job, int attempt, AttemptOutcome outcome,
                    std::optional<int> exit_code, std::optional<int> signal,
                    const std::string& error, const std::string& out_tail,
                    const std::string& err_tail) {
  int64_t now = clock_.NowMs();
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  // A job re-queued by hand (retry tool) counts its attempts afresh from attempt_base.
  RetryDecision d = DecideAfterAttempt(job.spec.retry, std::max(1, attempt - job.attempt_base),
                                       outcome, exit_code, now, u);
  AttemptEnd end;
  end.job_id = job.id;
  end.attempt = attempt;
  end.outcome = outcome;
  end.exit_code = exit_code;
  end.signal = signal;
  end.error = error;
  if (end.error.empty() && d.next == JobState::kCancelled) end.error = job.error;
  end.stdout_tail = out_tail.size() > kOutputTailBytes ? out_tail.substr(out_tail.size() - kOutputTailBytes) : out_tail;
  end.stderr_tail = err_tail.size() > kOutputTailBytes ? err_tail.substr(err_tail.size() - kOutputTailBytes) : err_tail;
  end.next_state = d.next;
  end.next_run_at_ms = d.run_at_ms;
  // Kept and written again while storage fails; the front-ends hear of it once it is written.
  if (recorder_.Record(end, now, MonotonicMs())) RingFrontends();
}

void Runner::RetryUnrecordedEnds(int64_t now_mono) {
  if (recorder_.held() == 0) return;
  if (recorder_.RetryDue(now_mono) > 0) {
    RingFrontends();
    dirty_ = true;  // dependents released, slots freed
  }
}

void Runner::ReadOutput(Running& r, Output& o) {
  char buf[65536];
  while (o.pipe_fd >= 0) {
    ssize_t n = read(o.pipe_fd, buf, sizeof buf);
    if (n > 0) {
      o.Append(buf, static_cast<size_t>(n));
      r.last_output_mono = MonotonicMs();
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    CloseFd(o.pipe_fd);  // EOF or error
  }
}

void Runner::ReapChildren() {
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = running_.find(pid);
    if (it == running_.end()) continue;  // a re-parented grandchild: reaped, nothing to record
    Running& r = *it->second;
    r.exited = true;
    r.wait_status = status;
    r.exited_mono = MonotonicMs();
    CloseFd(r.pidfd);
    // Whatever is left of a group being killed dies now, leader gone or not.
    if (r.kill_reason) SignalGroup(r.pid, SIGKILL);
  }
}

void Runner::BeginKill(Running& r, AttemptOutcome reason, int64_t now_mono) {
  if (r.kill_reason) return;
  r.kill_reason = reason;
  r.kill_deadline_mono = now_mono + static_cast<int64_t>(options_.kill_grace_s * 1000);
  spdlog::info("job {}: stopping process group {} ({})", r.job.id, r.pid, ToString(reason));
  SignalGroup(r.pid, SIGTERM);
}

void Runner::ApplyCancellations() {
  auto ids = store_.CancelRequested();
  if (!cancel_check_failures_.Report(ids.status())) return;  // asked again within a second
  int64_t now = MonotonicMs();
  for (JobId id : *ids)
    for (auto& [pid, r] : running_)
      if (r->job.id == id && !r->exited) {
        // The reason is a nicety; the cancellation itself goes ahead without it.
        auto job = store_.Get(id);
        if (job.ok()) r->job.error = job->error;
        else spdlog::warn("job {}: cancelling without its reason: {}", id, job.status().ToString());
        BeginKill(*r, AttemptOutcome::kCancelled, now);
      }
}

void Runner::EnforceDeadlines(int64_t now) {
  for (auto& [pid, rp] : running_) {
    Running& r = *rp;
    if (r.exited) continue;
    const JobSpec& s = r.job.spec;
    if (!r.kill_reason && s.timeout_s > 0 && now - r.started_mono >= s.timeout_s * 1000)
      BeginKill(r, AttemptOutcome::kTimeout, now);
    if (!r.kill_reason && s.inactivity_timeout_s > 0 &&
        now - r.last_output_mono >= s.inactivity_timeout_s * 1000)
      BeginKill(r, AttemptOutcome::kInactivityTimeout, now);
    if (r.kill_reason && !r.hard_killed && now >= r.kill_deadline_mono) {
      SignalGroup(r.pid, SIGKILL);
      r.hard_killed = true;
    }
  }
}

void Runner::Finish(Running& r) {
  // A job that was stopped (timeout, inactivity, cancel) leaves nothing behind, not even
  // processes that moved to another process group or session.
  if (r.kill_reason) KillJobProcesses(paths_.db, id_, r.job.id);
  ReadOutput(r, r.out);
  ReadOutput(r, r.err);
  CloseFd(r.out.pipe_fd);
  CloseFd(r.err.pipe_fd);
  r.out.CloseFile();
  r.err.CloseFile();
  AttemptOutcome outcome;
  std::optional<int> code, sig;
  std::string error;
  if (WIFEXITED(r.wait_status)) code = WEXITSTATUS(r.wait_status);
  if (WIFSIGNALED(r.wait_status)) sig = WTERMSIG(r.wait_status);
  if (r.kill_reason) {
    outcome = *r.kill_reason;
    const JobSpec& s = r.job.spec;
    if (outcome == AttemptOutcome::kTimeout)
      error = "timed out after " + std::to_string(static_cast<long>(s.timeout_s)) + " s";
    else if (outcome == AttemptOutcome::kInactivityTimeout)
      error = "no output for " + std::to_string(static_cast<long>(s.inactivity_timeout_s)) + " s";
    else if (outcome == AttemptOutcome::kLost)
      error = "the runner shut down while the job ran";
    else
      error = r.job.error.empty() ? "cancelled by request" : r.job.error;
  } else if (code) {
    outcome = *code == 0 ? AttemptOutcome::kSucceeded : AttemptOutcome::kFailed;
    if (*code != 0) error = "exited with code " + std::to_string(*code);
  } else {
    outcome = AttemptOutcome::kSignaled;
    error = std::string("killed by signal ") + (sig ? strsignal(*sig) : "?");
  }
  // Output that did not reach its file (disk full, I/O error) is never a clean success: a
  // follow-up would read a truncated file. A stop by baton stays the outcome, with the loss said.
  const std::string& lost = r.out.write_error.empty() ? r.err.write_error : r.out.write_error;
  if (!lost.empty()) {
    std::string ran = error.empty() ? "the command exited with code 0" : "the command " + error;
    if (r.kill_reason) {
      error += "; " + lost;
    } else {
      outcome = AttemptOutcome::kOutputError;
      error = lost + " (" + ran + ")";
    }
  }
  Record(r.job, r.attempt, outcome, code, sig, error, r.out.tail, r.err.tail);
  dirty_ = true;
}

void Runner::RingFrontends() {
  if (options_.on_events) options_.on_events();
  JobWatcher::RingAll(store_);
}

int64_t Runner::NextWakeMs(int64_t now) {
  int64_t wake = now + 60000;
  auto due = store_.NextDueMs();
  if (due.ok() && *due) wake = std::min(wake, now + std::max<int64_t>(0, **due - clock_.NowMs()));
  for (auto& [pid, rp] : running_) {
    Running& r = *rp;
    if (r.exited) {
      wake = std::min(wake, r.exited_mono + options_.drain_after_exit_ms);
      continue;
    }
    const JobSpec& s = r.job.spec;
    if (!r.kill_reason && s.timeout_s > 0)
      wake = std::min(wake, r.started_mono + static_cast<int64_t>(s.timeout_s * 1000));
    if (!r.kill_reason && s.inactivity_timeout_s > 0)
      wake = std::min(wake, r.last_output_mono + static_cast<int64_t>(s.inactivity_timeout_s * 1000));
    if (r.kill_reason && !r.hard_killed) wake = std::min(wake, r.kill_deadline_mono);
  }
  if (!running_.empty()) wake = std::min(wake, next_cancel_check_mono_);
  if (auto retry = recorder_.NextRetryMono()) wake = std::min(wake, *retry);
  auto schedule = store_.NextScheduleMs();
  if (schedule.ok() && *schedule)
    wake = std::min(wake, now + std::max<int64_t>(0, **schedule - clock_.NowMs()));
  if (options_.retention_ms > 0) wake = std::min(wake, next_retention_mono_);
  wake = std::min(wake, next_heartbeat_mono_);
  if (idle_since_mono_ >= 0 && options_.idle_exit_ms > 0)
    wake = std::min(wake, idle_since_mono_ + options_.idle_exit_ms);
  return std::max<int64_t>(0, wake - now);
}

bool Runner::CheckIdleExit(int64_t now) {
  if (options_.idle_exit_ms <= 0 || !running_.empty() || recorder_.held() > 0) {
    idle_since_mono_ = -1;
    return false;
  }
  auto work = store_.HasUnfinishedWork();
  if (!work.ok() || *work) {
    idle_since_mono_ = -1;
    return false;
  }
  if (idle_since_mono_ < 0) idle_since_mono_ = now;
  if (now - idle_since_mono_ < options_.idle_exit_ms) return false;
  // Close the doorbell first, then look once more: a front-end that enqueued in between either
  // sees its ring fail (and starts a new runner) or its job is seen here.
  bell_.Close();
  work = store_.HasUnfinishedWork();
  if (work.ok() && !*work) {
    spdlog::info("runner {} idle for {} ms: exiting", id_, options_.idle_exit_ms);
    return true;
  }
  // Serving on without a doorbell would leave enqueued jobs waiting for a deadline wake-up; exiting
  // lets a front-end start a runner that can be rung (nothing runs here: running_ is empty).
  if (Status bound = bell_.Bind(paths_.runner_bell); !bound.ok()) {
    spdlog::error("runner {}: cannot bind its doorbell again ({}): exiting so that a front-end "
                  "starts a new runner",
                  id_, bound.ToString());
    return true;
  }
  idle_since_mono_ = -1;
  return false;
}

bool Runner::RunOnce(int timeout_ms) {
  if (stopped_) return false;
  int64_t now = MonotonicMs();
  if (stop_) {
    stopped_ = true;
    return false;
  }
  if (now >= next_heartbeat_mono_) {
    heartbeat_failures_.Report(store_.HeartbeatRunner(id_, clock_.NowMs()));
    next_heartbeat_mono_ = now + static_cast<int64_t>(kRunnerHeartbeatSeconds * 1000);
  }
  RetryUnrecordedEnds(now);
  FireSchedules();
  RunRetention(now);
  if (dirty_) {
    dirty_ = false;
    if (!running_.empty()) ApplyCancellations();
    promote_failures_.Report(store_.PromoteDue(clock_.NowMs()).status());
    ClaimAndStart();
  } else if (now >= next_cancel_check_mono_ && !running_.empty()) {
    ApplyCancellations();
  }
  if (now >= next_cancel_check_mono_) next_cancel_check_mono_ = now + 1000;
  if (CheckIdleExit(now)) {
    stopped_ = true;
    return false;
  }

  std::vector<pollfd> fds;
  fds.push_back({shutdown_fd_, POLLIN, 0});
  fds.push_back({bell_.fd(), POLLIN, 0});
  for (auto& [pid, r] : running_) {
    if (r->pidfd >= 0) fds.push_back({r->pidfd, POLLIN, 0});
    if (r->out.pipe_fd >= 0) fds.push_back({r->out.pipe_fd, POLLIN, 0});
    if (r->err.pipe_fd >= 0) fds.push_back({r->err.pipe_fd, POLLIN, 0});
  }
  int wait = static_cast<int>(NextWakeMs(now));
  if (timeout_ms >= 0) wait = std::min(wait, timeout_ms);
  int n = poll(fds.data(), fds.size(), wait);
  if (n < 0 && errno != EINTR) spdlog::error("poll: {}", strerror(errno));
  if (fds[0].revents) {
    stopped_ = true;
    return false;
  }
  if (fds[1].revents && bell_.Drain() > 0) dirty_ = true;
  for (auto& [pid, r] : running_) {
    ReadOutput(*r, r->out);
    ReadOutput(*r, r->err);
  }
  ReapChildren();
  now = MonotonicMs();
  EnforceDeadlines(now);
  for (auto it = running_.begin(); it != running_.end();) {
    Running& r = *it->second;
    bool drained = r.out.pipe_fd < 0 && r.err.pipe_fd < 0;
    if (r.exited && (drained || now - r.exited_mono >= options_.drain_after_exit_ms)) {
      Finish(r);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  // A due delayed job or retry needs a promotion pass even without a ring.
  auto due = store_.NextDueMs();
  if (due.ok() && *due && **due <= clock_.NowMs()) dirty_ = true;
  return true;
}

void Runner::FireSchedules() {
  auto next = store_.NextScheduleMs();
  if (!next.ok() || !*next || **next > clock_.NowMs()) return;
  auto created = FireDueSchedules(store_, clock_.NowMs());
  if (!created.ok()) spdlog::error("schedules: {}", created.status().ToString());
  dirty_ = true;
}

void Runner::RunRetention(int64_t now_mono) {
  if (options_.retention_ms <= 0 || now_mono < next_retention_mono_) return;
  next_retention_mono_ = now_mono + static_cast<int64_t>(kRetentionIntervalSeconds * 1000);
  auto r = PruneFinished(store_, paths_.logs_dir, clock_.NowMs(), options_.retention_ms);
  if (!r.ok()) spdlog::error("retention: {}", r.status().ToString());
  else if (r->jobs > 0 || r->tasks > 0)
    spdlog::info("retention: pruned {} job(s), {} event(s), {} log dir(s), {} expired task(s)",
                 r->jobs, r->events, r->log_dirs, r->tasks);
}

void Runner::StopAll() {
  if (running_.empty()) return;
  int64_t now = MonotonicMs();
  for (auto& [pid, r] : running_) BeginKill(*r, AttemptOutcome::kLost, now);
  int64_t deadline = now + static_cast<int64_t>(options_.kill_grace_s * 1000);
  while (!running_.empty()) {
    ReapChildren();
    for (auto it = running_.begin(); it != running_.end();) {
      if (it->second->exited) {
        Finish(*it->second);
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
    if (MonotonicMs() >= deadline)
      for (auto& [pid, r] : running_) SignalGroup(r->pid, SIGKILL);
    usleep(10000);
  }
}

}  // namespace baton
