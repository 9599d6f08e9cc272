// server/runner/runner.h
//
// The runner executes jobs for one database: it claims queued jobs up to its concurrency,
// expands their placeholders, has an executor run each attempt (server/runner/executor.h; a local
// process group by default, server/runner/local_executor.h, which streams output to capped files
// and enforces timeouts), stops cancelled ones, records each attempt's end and what follows
// (retry, dead, dependents released or skipped) and rings the front-ends when attempts start and
// end, so that waiting `status` calls return at once and sessions hear of their jobs
// (server/jobs/job_feed.h).
//
// When storage fails, no error is dropped (docs/guarantees.md, "When storage fails"): an
// attempt's end that cannot be written is kept and written again with backoff until storage
// works (server/runner/attempt_end_recorder.h), and so is its start record; a failing claim,
// promotion of due jobs, schedule firing or heartbeat is logged once per streak and retried with
// backoff (server/runner/failure_streak.h); an attempt whose output files cannot be created or
// written ends `output_error`, never as a clean success. Every heartbeat the runner reconciles
// the attempts the database says are open with the ones it runs or holds: any other is recorded
// `lost` (retried per policy), so no job stays `running` under a live runner that gave up on it.
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

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "server/runner/attempt_end_recorder.h"
#include "server/runner/executor.h"
#include "server/runner/failure_streak.h"
#include "server/jobs/job_check.h"
#include "server/jobs/job_worktree.h"
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
  // Makes the executor that runs the attempts, given the runner's id (its jobs' BATON_RUNNER);
  // null: local processes (LocalExecutor).
  std::function<std::unique_ptr<Executor>(const std::string& runner_id)> make_executor;
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
  size_t running() const { return active_.size(); }

 private:
  // An attempt the executor runs for us.
  struct Active {
    Job job;
    int attempt = 0;
    std::optional<SpawnRecord> unrecorded_spawn;  // RecordSpawn failed: written again
    std::optional<LaunchRequest> verify;      // the job's verifier, launched when it exits 0
    std::optional<AttemptExit> command_exit;  // the command's end, kept while the verifier runs
    std::optional<JobWorktree> worktree;      // isolation "worktree": put away at its end
  };

  void ClaimAndStart();
  void StartAttempt(Claim claim);
  void FinishWithoutProcess(const Job& job, int attempt, AttemptOutcome outcome,
                            const std::string& error);
  void OnExit(const AttemptExit& exit);
  // The verifier of `a`, whose command exited 0, has ended: its verdict is the attempt's.
  void OnVerifyExit(Active a, const AttemptExit& exit);
  RecordResult Record(const Job& job, int attempt, AttemptOutcome outcome,
                      std::optional<int> exit_code, std::optional<int> signal,
                      const std::string& error, const std::string& out_tail,
                      const std::string& err_tail, const SpawnRecord* unrecorded_spawn = nullptr,
                      const std::string& worktree = "");
  void CollectExits();
  void ApplyCancellations();
  // Records `lost` every open attempt in the database that no live part of this runner owns: a
  // dead runner's (killing its processes first when `kill_strays`), or one of ours whose end was
  // not kept. Runner thread; runner_recovery.cc.
  void RecoverOpenAttempts(bool kill_strays);
  void RetryUnrecordedSpawns(int64_t now_mono);
  void RingFrontends();
  int64_t NextWakeMs(int64_t now_mono);
  bool CheckIdleExit(int64_t now_mono);
  void RetryUnrecordedEnds(int64_t now_mono);
  void FireSchedules(int64_t now_mono);
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
  std::unique_ptr<Executor> executor_;
  std::map<JobId, Active> active_;
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
  bool orphans_recovered_ = false;  // a dead runner's attempts all recorded (or none)
  std::set<std::pair<JobId, int>> refused_ends_;  // open attempts the store will not end
  AttemptEndRecorder recorder_;  // ends storage refused, written again when it works
  FailureStreak claim_failures_{"claiming a job"};
  FailureStreak heartbeat_failures_{"runner heartbeat"};
  FailureStreak cancel_check_failures_{"reading cancellation requests"};
  FailureStreak promote_failures_{"promoting due jobs"};
  FailureStreak schedule_failures_{"firing due schedules"};
  FailureStreak spawn_record_failures_{"recording started processes"};
  FailureStreak wake_read_failures_{"reading the next due job or schedule"};
  FailureStreak reconcile_failures_{"reconciling open attempts"};
  std::thread thread_;
};

}  // namespace baton
