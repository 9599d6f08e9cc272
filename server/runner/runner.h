// server/runner/runner.h
//
// The runner executes jobs for one database: it claims queued jobs up to its concurrency,
// starts each in its own process group, streams output to capped files, enforces wall-clock and
// inactivity timeouts and cancellations (SIGTERM to the group, then SIGKILL after a grace),
// records each attempt's end and what follows (retry, dead, dependents released or skipped) and
// rings the front-ends when attempts start and end, so that waiting `status` calls return at
// once and sessions hear of their jobs (server/jobs/job_feed.h).
//
// When storage fails, nothing is dropped silently: an attempt's end that cannot be written is
// kept and written again with backoff until storage works (server/runner/attempt_end_recorder.h); an
// attempt whose output files cannot be created or written ends `output_error`, never as a clean
// success; every other failing read or write is logged (server/runner/failure_streak.h) and, where it
// concerns one job, becomes that job's error (docs/guarantees.md, "When storage fails").
//
// Exactly one runner serves a database: Acquire() takes an exclusive file lock. On acquiring it,
// the runner recovers the attempts a dead predecessor left open: their process groups, and any
// other process carrying the dead runner's BATON_RUNNER (server/runner/runner_recovery.h), are killed
// (a job never runs twice at the same time) and the attempts end as `lost`, retried per policy.
// It also fires due cron schedules (server/runner/schedule_firing.h), prunes old finished jobs
// (server/runner/retention.h) and heartbeats into the runners table every kRunnerHeartbeatSeconds.
// With schedules present it does not exit when idle.
// Wake-ups are event-driven (doorbell rings, child exits, pipe output, the next deadline);
// nothing polls on a fixed tick.
//
// Start()/Run() own the loop thread; Shutdown() may be called from any thread or a signal
// handler and is idempotent. RunOnce() runs one pass on the calling thread (tests).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "server/runner/attempt_end_recorder.h"
#include "server/runner/attempt_output.h"
#include "server/runner/failure_streak.h"
#include "server/jobs/job_check.h"
#include "server/jobs/state_paths.h"
#include "storage/job_store.h"
#include "transport/doorbell.h"

namespace baton {

struct RunnerOptions {
  int concurrency = 0;          // jobs at once across all queues; 0 = number of cores
  int64_t idle_exit_ms = 0;     // exit after this long with no unfinished work; 0 = never
  double kill_grace_s = kKillGraceSeconds;
  int64_t drain_after_exit_ms = 200;  // how long to keep reading pipes a grandchild holds open
  // Finished jobs older than this are pruned (with events and output files); 0 = keep all.
  int64_t retention_ms = static_cast<int64_t>(kDefaultRetentionDays * 24 * 3600 * 1000);
  // Called on the runner thread after it wrote events (jobs started or finished), e.g. to wake
  // the NATS drainer at once instead of at its next poll. Must not block.
  std::function<void()> on_events;
  // The policy check of jobs the runner itself created (schedule firings, saga compensations:
  // labelled baton.origin), before their first attempt; a denied one ends `cancelled` with
  // "Denied by policy: ..." and never runs. Also, before every attempt, the spec of any job
  // whose placeholders ({{prev.stdout}}) changed it, as expanded: a denied one ends `failed`
  // with "policy denied the expanded command: ..." (no retry) and never runs. Not owned; null:
  // not checked.
  JobChecker* job_checker = nullptr;
};

class Runner {
 public:
  Runner(JobStore& store, StatePaths paths, RunnerOptions options, const Clock& clock);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Takes the runner lock, waiting up to lock_wait_ms; binds the doorbell; recovers orphaned
  // attempts. FailedPrecondition when another runner keeps the lock.
  Status Acquire(int lock_wait_ms);
  // Loops on the calling thread until Shutdown() or the idle exit. Returns when done; running
  // jobs are stopped and recorded as lost on Shutdown (they are retried per policy).
  void Run();
  void Start();
  // Async-signal-safe and idempotent.
  void Shutdown();
  void Join();
  // One pass: handle what is ready, claim what fits, wait at most timeout_ms. False when the
  // runner decided to stop.
  bool RunOnce(int timeout_ms);

  const std::string& id() const { return id_; }
  size_t running() const { return running_.size(); }

 private:
  using Output = AttemptOutput;
  struct Running {
    Job job;
    int attempt = 0;
    pid_t pid = -1;
    int pidfd = -1;
    Output out, err;
    int64_t started_mono = 0;
    int64_t last_output_mono = 0;
    bool exited = false;
    int wait_status = 0;
    int64_t exited_mono = 0;
    std::optional<AttemptOutcome> kill_reason;
    int64_t kill_deadline_mono = 0;  // SIGKILL after this
    bool hard_killed = false;
  };

  void ClaimAndStart();
  void Start(Claim claim);
  void FinishWithoutProcess(const Job& job, int attempt, AttemptOutcome outcome,
                            const std::string& error);
  void Finish(Running& r);
  void Record(const Job& job, int attempt, AttemptOutcome outcome, std::optional<int> exit_code,
              std::optional<int> signal, const std::string& error, const std::string& out_tail,
              const std::string& err_tail);
  void ReadOutput(Running& r, Output& o);
  void ReapChildren();
  void ApplyCancellations();
  void EnforceDeadlines(int64_t now_mono);
  void BeginKill(Running& r, AttemptOutcome reason, int64_t now_mono);
  void RecoverOrphans();
  void RingFrontends();
  int64_t NextWakeMs(int64_t now_mono);
  bool CheckIdleExit(int64_t now_mono);
  void RetryUnrecordedEnds(int64_t now_mono);
  void FireSchedules();
  void RunRetention(int64_t now_mono);
  void StopAll();
  std::vector<std::string> JobEnvironment(const Job& job, int attempt, const std::string& prev_out);

  JobStore& store_;
  StatePaths paths_;
  RunnerOptions options_;
  const Clock& clock_;
  std::string id_;
  int lock_fd_ = -1;
  int shutdown_fd_ = -1;  // eventfd written by Shutdown()
  transport::Doorbell bell_;
  std::map<pid_t, std::unique_ptr<Running>> running_;
  // What every job inherits: this process's environment (read once, at construction: parsing
  // it for every job was a tenth of the runner's time) with BATON_DB and BATON_RUNNER set.
  std::map<std::string, std::string> base_env_;
  std::mt19937_64 rng_;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;
  int64_t idle_since_mono_ = -1;
  int64_t next_heartbeat_mono_ = 0;
  int64_t next_cancel_check_mono_ = 0;
  int64_t next_retention_mono_ = 0;
  bool dirty_ = true;  // rung or a slot freed: look for work
  AttemptEndRecorder recorder_;  // ends storage refused, written again when it works
  FailureStreak claim_failures_{"claiming a job"};
  FailureStreak heartbeat_failures_{"runner heartbeat"};
  FailureStreak cancel_check_failures_{"reading cancellation requests"};
  FailureStreak promote_failures_{"promoting due jobs"};
  std::thread thread_;
};

}  // namespace baton
