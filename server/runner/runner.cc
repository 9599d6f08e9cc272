#include "server/runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/random_id.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/placeholders.h"
#include "server/runner/exit_judgement.h"
#include "server/runner/expanded_job_check.h"
#include "server/runner/isolated_attempt.h"
#include "server/runner/job_output.h"
#include "server/runner/local_executor.h"
#include "server/runner/retention.h"
#include "server/runner/retry_decision.h"
#include "server/runner/runner_created_job_check.h"
#include "server/runner/schedule_firing.h"

extern char** environ;

namespace baton {

namespace {

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
  if (shutdown_fd_ < 0)  // Shutdown() is then seen within NextWakeMs's cap, not at once
    spdlog::error("runner: eventfd: {}; shutdown is noticed within 100 ms", strerror(errno));
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) base_env_[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
  }
  base_env_.erase("BATON_PREV_OUTPUT_FILE");
  base_env_["BATON_DB"] = paths_.db;
  base_env_["BATON_RUNNER"] = id_;  // recognises the job's processes if this runner dies
  if (options_.make_executor) {
    executor_ = options_.make_executor(id_);
  } else {
    executor_ = std::make_unique<LocalExecutor>(LocalExecutorOptions{
        paths_.db, id_, options_.kill_grace_s, options_.drain_after_exit_ms});
  }
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
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)  // init reaps them instead: no zombies either
    spdlog::warn("runner: cannot become a child subreaper: {}", strerror(errno));
  BATON_RETURN_IF_ERROR(store_.RegisterRunner(id_, getpid(), clock_.NowMs()));
  // Not fatal: each job then ends `output_error` with the reason, which is where users look.
  std::error_code ec;
  std::filesystem::create_directories(paths_.logs_dir, ec);
  if (ec) spdlog::error("cannot create the log directory {}: {}", paths_.logs_dir, ec.message());
  RecoverOpenAttempts(/*kill_strays=*/true);  // retried every heartbeat until it succeeds
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
  while (!stop_ && active_.size() < static_cast<size_t>(options_.concurrency)) {
    auto claim = store_.ClaimNext(id_, options_.concurrency, clock_.NowMs());
    // Nothing was claimed; tried again after a backoff (RunOnce), rung or not.
    if (!claim_failures_.Report(claim.status(), MonotonicMs())) break;
    if (!claim->has_value()) break;
    StartAttempt(std::move(**claim));
    ++claimed;
  }
  // Jobs that started are news too (resources/updated, the drainer): one ring per pass.
  if (claimed > 0) RingFrontends();
}

void Runner::StartAttempt(Claim claim) {
  Job& job = claim.job;
  const int attempt = claim.attempt;
  if (options_.job_checker)  // jobs the runner created itself pass the policy first
    if (std::string denied = DenialOfRunnerCreatedJob(store_, *options_.job_checker, job, attempt);
        !denied.empty())
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kDenied, denied);
  // Resolve the predecessor's result for placeholders and BATON_PREV_OUTPUT_FILE.
  JobOutputResolver resolver(store_, job);
  std::optional<std::string> last_error;  // read once, when a placeholder asks for it
  auto lookup = [&](const PlaceholderRef& ref) -> Result<std::string> {
    if (ref.own && ref.field == "attempt") return std::to_string(attempt);
    if (ref.own) {
      if (!last_error) {
        BATON_ASSIGN_OR_RETURN(last_error, resolver.LastError(attempt));
      }
      return *last_error;
    }
    return resolver.Value(ref);
  };
  JobSpec expanded = job.spec;
  std::string unexpanded;  // the first error, for the attempt that cannot start
  auto expand = [&](std::string& text) {
    if (!unexpanded.empty()) return;
    auto e = ExpandPlaceholders(text, lookup);
    if (e.ok()) text = std::move(*e);
    else unexpanded = e.status().message();
  };
  for (std::string& arg : expanded.command) expand(arg);
  for (auto& [k, v] : expanded.env) expand(v);
  if (expanded.stdin_data) expand(*expanded.stdin_data);
  if (expanded.verify)
    for (std::string& arg : expanded.verify->command) expand(arg);
  if (!unexpanded.empty())
    return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, unexpanded);
  // Every earlier check judged the placeholders, not what they expand to: judge what will run.
  if (options_.job_checker && ExpansionChangedSpec(job.spec, expanded))
    if (std::string denied = DenialOfExpandedJob(*options_.job_checker, job, expanded, attempt);
        !denied.empty())
      return FinishWithoutProcess(job, attempt, AttemptOutcome::kExpansionDenied, denied);

  LaunchRequest req;
  req.job_id = job.id;
  req.attempt = attempt;
  req.cwd = job.spec.cwd;
  req.argv = expanded.command;
  req.stdin_data = expanded.stdin_data;
  req.timeout_s = job.spec.timeout_s;
  req.inactivity_timeout_s = job.spec.inactivity_timeout_s;
  Job with_env = job;
  with_env.spec.env = expanded.env;
  req.env = JobEnvironment(with_env, attempt, resolver.PrevOutputPath());
  std::string base = paths_.logs_dir + "/" + std::to_string(job.id) + "/" + std::to_string(attempt);
  req.stdout_path = base + ".out";
  req.stderr_path = base + ".err";
  req.stdin_path = base + ".in";
  std::optional<JobWorktree> worktree;
  if (job.spec.isolation == "worktree") {
    auto wt = PrepareIsolatedAttempt(job, paths_.worktrees_dir, &req);
    if (!wt.ok()) return FinishWithoutProcess(job, attempt, AttemptOutcome::kSpawnError, wt.status().message());
    worktree = std::move(*wt);
  }
  std::optional<LaunchRequest> verify;
  if (expanded.verify) {
    verify = req;  // same cwd (the worktree, for an isolated job) and environment, no stdin
    verify->argv = expanded.verify->command;
    verify->stdin_data.reset();
    verify->stdout_path = base + ".verify.out";
    verify->stderr_path = base + ".verify.err";
    verify->timeout_s = expanded.verify->timeout_s;
    verify->inactivity_timeout_s = 0;
  }
  LaunchResult launched = executor_->Launch(req);
  if (launched.refused) {
    spdlog::warn("job {} could not start: {}", job.id, launched.error);
    std::string put_away;
    if (worktree) put_away = PutAwayIsolatedAttempt(*worktree, job, attempt, *launched.refused);
    Record(job, attempt, *launched.refused, std::nullopt, std::nullopt, launched.error, "", "",
           nullptr, put_away);
    dirty_ = true;
    return;
  }

  SpawnRecord spawn{launched.pid, launched.start_ticks, req.stdout_path, req.stderr_path};
  Active a{std::move(job), attempt, std::nullopt, std::move(verify), std::nullopt,
           std::move(worktree)};
  // The job runs on either way; the record is written again until it works (and at the latest
  // with its end), for `baton logs`, {{prev.stdout}} and a crash's recovery.
  Status s = store_.RecordSpawn(a.job.id, attempt, spawn.pid, spawn.start_ticks,
                                spawn.stdout_path, spawn.stderr_path);
  if (!spawn_record_failures_.Report(s, MonotonicMs())) a.unrecorded_spawn = spawn;
  spdlog::debug("job {} attempt {} started as pid {}", a.job.id, attempt, spawn.pid);
  JobId id = a.job.id;
  active_[id] = std::move(a);
}

void Runner::FinishWithoutProcess(const Job& job, int attempt, AttemptOutcome outcome,
                                  const std::string& error) {
  spdlog::warn("job {} could not start: {}", job.id, error);
  Record(job, attempt, outcome, std::nullopt, std::nullopt, error, "", "");
  dirty_ = true;
}

RecordResult Runner::Record(const Job& job, int attempt, AttemptOutcome outcome,
                            std::optional<int> exit_code, std::optional<int> signal,
                            const std::string& error, const std::string& out_tail,
                            const std::string& err_tail, const SpawnRecord* unrecorded_spawn,
                            const std::string& worktree) {
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
  end.worktree = worktree;
  end.next_state = d.next;
  end.next_run_at_ms = d.run_at_ms;
  // Kept and written again while storage fails; the front-ends hear of it once it is written.
  RecordResult recorded = recorder_.Record(end, now, MonotonicMs(), unrecorded_spawn);
  if (recorded == RecordResult::kWritten) RingFrontends();
  return recorded;
}

void Runner::RetryUnrecordedEnds(int64_t now_mono) {
  if (recorder_.held() == 0) return;
  if (recorder_.RetryDue(now_mono) > 0) {
    RingFrontends();
    dirty_ = true;  // dependents released, slots freed
  }
}

void Runner::RetryUnrecordedSpawns(int64_t now_mono) {
  if (!spawn_record_failures_.RetryDue(now_mono)) return;
  Status last;
  for (auto& [id, a] : active_) {
    if (!a.unrecorded_spawn) continue;
    const SpawnRecord& r = *a.unrecorded_spawn;
    last = store_.RecordSpawn(id, a.attempt, r.pid, r.start_ticks, r.stdout_path, r.stderr_path);
    if (last.ok()) a.unrecorded_spawn.reset();
    else break;
  }
  spawn_record_failures_.Report(last, now_mono);
}

void Runner::ApplyCancellations() {
  auto ids = store_.CancelRequested();
  if (!cancel_check_failures_.Report(ids.status())) return;  // asked again within a second
  for (JobId id : *ids) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    // The reason is a nicety; the cancellation itself goes ahead without it.
    auto job = store_.Get(id);
    if (job.ok()) it->second.job.error = job->error;
    else spdlog::warn("job {}: cancelling without its reason: {}", id, job.status().ToString());
    executor_->Stop(id, it->second.attempt, AttemptOutcome::kCancelled);
  }
}

void Runner::OnExit(const AttemptExit& e) {
  auto it = active_.find(e.job_id);
  if (it == active_.end() || it->second.attempt != e.attempt) {
    spdlog::error("job {} attempt {} ended but the runner did not start it", e.job_id, e.attempt);
    return;
  }
  if (it->second.command_exit) {
    Active a = std::move(it->second);
    active_.erase(it);
    return OnVerifyExit(std::move(a), e);
  }
  ExitJudgement j = JudgeExit(e, it->second.job.spec, it->second.job.error);
  if (j.outcome == AttemptOutcome::kSucceeded && it->second.verify) {
    Active& a = it->second;
    if (stop_) {  // StopAll would not stop a verifier started now
      j = {AttemptOutcome::kLost, "the runner shut down before the verifier ran"};
    } else if (LaunchResult v = executor_->Launch(*a.verify); v.refused) {
      j = {*v.refused, "the verify command could not start: " + v.error};
    } else {
      spdlog::debug("job {} attempt {}: verifying as pid {}", a.job.id, a.attempt, v.pid);
      a.command_exit = e;
      return;
    }
  }
  Active a = std::move(it->second);
  active_.erase(it);
  // The work is on its branch before the end is recorded: a reader told "succeeded" finds it.
  std::string worktree;
  if (a.worktree) worktree = PutAwayIsolatedAttempt(*a.worktree, a.job, a.attempt, j.outcome);
  Record(a.job, a.attempt, j.outcome, e.exit_code, e.signal, j.error, e.stdout_tail, e.stderr_tail,
         a.unrecorded_spawn ? &*a.unrecorded_spawn : nullptr, worktree);
  dirty_ = true;
}

void Runner::OnVerifyExit(Active a, const AttemptExit& e) {
  ExitJudgement j = JudgeVerify(e, a.verify->timeout_s, a.job.error);
  // The attempt's exit code and output are the command's; the verifier's are in its error and
  // in <attempt>.verify.out|.err (`baton logs --verify`).
  const AttemptExit& command = *a.command_exit;
  std::string worktree;  // put away after the verifier, which ran in it
  if (a.worktree) worktree = PutAwayIsolatedAttempt(*a.worktree, a.job, a.attempt, j.outcome);
  Record(a.job, a.attempt, j.outcome, command.exit_code, command.signal, j.error,
         command.stdout_tail, command.stderr_tail,
         a.unrecorded_spawn ? &*a.unrecorded_spawn : nullptr, worktree);
  dirty_ = true;
}

void Runner::CollectExits() {
  for (const AttemptExit& e : executor_->Collect(MonotonicMs())) OnExit(e);
}

void Runner::RingFrontends() {
  if (options_.on_events) options_.on_events();
  JobWatcher::RingAll(store_);
}

int64_t Runner::NextWakeMs(int64_t now) {
  int64_t wake = now + 60000;
  auto at = [&](int64_t t) { wake = std::min(wake, t); };
  auto until = [&](int64_t wall_ms) {
    return now + std::max<int64_t>(0, wall_ms - clock_.NowMs());
  };
  // A failing read must not make the runner sleep past a due job: look again within a second.
  Status read = Status::OK();
  auto due = store_.NextDueMs();
  if (!due.ok()) read = due.status();
  else if (*due) at(promote_failures_.failing() ? promote_failures_.retry_at_mono() : until(**due));
  auto schedule = store_.NextScheduleMs();
  if (!schedule.ok()) read = schedule.status();
  else if (*schedule)
    at(schedule_failures_.failing() ? schedule_failures_.retry_at_mono() : until(**schedule));
  if (!wake_read_failures_.Report(read, now)) at(wake_read_failures_.retry_at_mono());
  if (auto deadline = executor_->NextDeadlineMono()) at(*deadline);
  if (!active_.empty()) at(next_cancel_check_mono_);
  if (auto retry = recorder_.NextRetryMono()) at(*retry);
  if (claim_failures_.failing() && active_.size() < static_cast<size_t>(options_.concurrency))
    at(claim_failures_.retry_at_mono());
  if (spawn_record_failures_.failing()) at(spawn_record_failures_.retry_at_mono());
  if (options_.retention_ms > 0) at(next_retention_mono_);
  at(next_heartbeat_mono_);
  if (idle_since_mono_ >= 0 && options_.idle_exit_ms > 0)
    at(idle_since_mono_ + options_.idle_exit_ms);
  if (shutdown_fd_ < 0) at(now + 100);
  return std::max<int64_t>(0, wake - now);
}

bool Runner::CheckIdleExit(int64_t now) {
  if (options_.idle_exit_ms <= 0 || !active_.empty() || recorder_.held() > 0) {
    idle_since_mono_ = -1;
    return false;
  }
  auto work = store_.HasUnfinishedWork();  // a failing read counts as work: stay
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
  // lets a front-end start a runner that can be rung (nothing runs here: active_ is empty).
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
    heartbeat_failures_.Report(store_.HeartbeatRunner(id_, clock_.NowMs()), now);
    next_heartbeat_mono_ = now + static_cast<int64_t>(kRunnerHeartbeatSeconds * 1000);
    RecoverOpenAttempts(/*kill_strays=*/!orphans_recovered_);
  }
  RetryUnrecordedEnds(now);
  RetryUnrecordedSpawns(now);
  FireSchedules(now);
  RunRetention(now);
  // A claim or promotion that storage refused is tried again after its backoff, rung or not.
  if (claim_failures_.RetryDue(now) || promote_failures_.RetryDue(now)) dirty_ = true;
  if (dirty_) {
    dirty_ = false;
    if (!active_.empty()) ApplyCancellations();
    promote_failures_.Report(store_.PromoteDue(clock_.NowMs()).status(), now);
    ClaimAndStart();
  } else if (now >= next_cancel_check_mono_ && !active_.empty()) {
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
  executor_->AddWakeFds(&fds);
  int wait = static_cast<int>(NextWakeMs(now));
  if (timeout_ms >= 0) wait = std::min(wait, timeout_ms);
  int n = poll(fds.data(), fds.size(), wait);
  if (n < 0 && errno != EINTR) {
    spdlog::error("poll: {}", strerror(errno));
    usleep(10000);  // never a busy loop
  }
  if (fds[0].revents) {
    stopped_ = true;
    return false;
  }
  if (fds[1].revents && bell_.Drain() > 0) dirty_ = true;
  CollectExits();
  // A due delayed job or retry needs a promotion pass even without a ring (while promotion
  // fails, its backoff decides).
  auto due = store_.NextDueMs();
  if (due.ok() && *due && **due <= clock_.NowMs() && !promote_failures_.failing()) dirty_ = true;
  return true;
}

void Runner::FireSchedules(int64_t now_mono) {
  if (schedule_failures_.failing() && !schedule_failures_.RetryDue(now_mono)) return;
  auto next = store_.NextScheduleMs();
  if (!next.ok() || !*next || **next > clock_.NowMs()) return;  // a failed read: NextWakeMs
  auto created = FireDueSchedules(store_, clock_.NowMs());
  schedule_failures_.Report(created.status(), now_mono);
  dirty_ = true;
}

void Runner::RunRetention(int64_t now_mono) {
  if (options_.retention_ms <= 0 || now_mono < next_retention_mono_) return;
  next_retention_mono_ = now_mono + static_cast<int64_t>(kRetentionIntervalSeconds * 1000);
  auto r = PruneFinished(store_, paths_.logs_dir, clock_.NowMs(), options_.retention_ms);
  if (!r.ok()) spdlog::error("retention: {}; tried again in {} s", r.status().ToString(),
                             kRetentionIntervalSeconds);
  else if (r->jobs > 0 || r->tasks > 0)
    spdlog::info("retention: pruned {} job(s), {} event(s), {} log dir(s), {} expired task(s)",
                 r->jobs, r->events, r->log_dirs, r->tasks);
}

void Runner::StopAll() {
  if (active_.empty()) return;
  for (auto& [id, a] : active_) executor_->Stop(id, a.attempt, AttemptOutcome::kLost);
  // The executor forces what ignores the stop after the kill grace; each end is recorded.
  while (executor_->running() > 0) {
    std::vector<pollfd> fds;
    executor_->AddWakeFds(&fds);
    poll(fds.data(), fds.size(), 10);
    CollectExits();
  }
  for (auto& [id, a] : active_)  // nothing should be left: said if it is
    spdlog::error("job {} attempt {}: its executor handed no end back", id, a.attempt);
}

}  // namespace baton
