// storage/job_store.h
//
// JobStore persists jobs, their dependencies, attempts and events in one SQLite database file.
// Several processes may open the same file (one front-end per MCP session, one runner, the CLI);
// every method is one transaction, and every decision that must be unique (claiming a job,
// counting running jobs against a limit, honouring an idempotency key) is made inside it.
// Every state change is checked against storage/job_lifecycle.h and written together with its
// event row (the events table is the outbox that is later drained to NATS).
// Thread-safe: one connection, serialized by a mutex (shared with the DecisionLog of the same
// process, see connection()).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/job.h"
#include "storage/schedule.h"
#include "storage/task_record.h"

namespace baton::storage {
class Db;
class Stmt;
struct Connection;
}

namespace baton {

struct StoreOptions {
  bool synchronous_full = false;  // FULL survives power loss; NORMAL survives a process crash
  int64_t idempotency_window_ms = static_cast<int64_t>(kDefaultIdempotencyWindowSeconds * 1000);
};

struct EnqueueRequest {
  JobSpec spec;
  Origin origin;
  // Inside EnqueueBatch, a dependency on job id -k means "the k-th request of this batch".
  std::optional<JobId> chain_id;  // -k allowed likewise
  int chain_step = 0;
};

struct EnqueueOutcome {
  JobId id = 0;
  JobState state = JobState::kQueued;
  bool existed = false;  // an earlier job with the same idempotency key was returned
};

struct JobFilter {
  std::vector<JobState> states;  // empty = any
  std::string queue;             // empty = any
  std::string label_key, label_value;
  std::string session;           // empty = any
  std::optional<int64_t> created_after_ms, created_before_ms;
  std::optional<JobId> before_id;  // cursor: rows with smaller ids (newest first)
  int limit = 50;
};

// A job the runner has just moved to running, with the number of its new attempt.
struct Claim {
  Job job;
  int attempt = 0;
};

// What the runner decided after an attempt ended (server/runner/retry_decision.h makes the decision).
struct AttemptEnd {
  JobId job_id = 0;
  int attempt = 0;
  AttemptOutcome outcome = AttemptOutcome::kFailed;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string error;
  std::string stdout_tail, stderr_tail;
  std::string worktree;  // isolated jobs: the worktree's summary as JSON; "" for none
  JobState next_state = JobState::kFailed;  // terminal, or kPending/kQueued for a retry
  int64_t next_run_at_ms = 0;               // for a retry
};

struct QueueInfo {
  std::string name;
  std::optional<int> concurrency;  // none: only the runner's global limit applies
  bool paused = false;
  int64_t queued = 0, running = 0, pending = 0, dead = 0;
};

struct RunnerInfo {
  std::string id;
  int pid = 0;
  std::string host;
  int64_t started_ms = 0;
  int64_t heartbeat_ms = 0;
};

struct PruneResult {
  std::vector<JobId> jobs;  // deleted (their log directories can go too)
  int64_t events = 0;       // event rows deleted
};

struct CancelOutcome {
  JobState state;               // kCancelled, or kRunning when the runner must still kill it
  std::vector<JobId> cascaded;  // dependents cancelled with it
};

class JobStore {
 public:
  // Opens or creates the database and brings its schema up to date.
  static Result<std::unique_ptr<JobStore>> Open(const std::string& path, StoreOptions options = {});
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  const std::string& path() const { return path_; }

  // Group commit (storage/sqlite_db.h): from BeginGroup() to EndGroup(), the writes of this
  // store and of stores sharing its connection are savepoints of one transaction, committed by
  // EndGroup(). Callers must not acknowledge anything written in a group before EndGroup() is OK.
  void BeginGroup();
  Status EndGroup();
  // The connection, for another store of this database in this process (DecisionLog).
  const std::shared_ptr<storage::Connection>& connection() const { return conn_; }

  // Inserts the job with its `enqueued` event. With an idempotency key already used inside the
  // window, returns the existing job (existed = true) and inserts nothing. InvalidArgument when a
  // dependency does not exist.
  Result<EnqueueOutcome> Enqueue(const EnqueueRequest& request, int64_t now_ms);
  // All requests in one transaction: all are inserted or none.
  Result<std::vector<EnqueueOutcome>> EnqueueBatch(const std::vector<EnqueueRequest>& requests,
                                                   int64_t now_ms);

  // NotFound when there is no such job.
  Result<Job> Get(JobId id);
  Result<std::vector<Attempt>> Attempts(JobId id);
  // The job of chain `chain_id` whose spec is named `name`, if any.
  Result<std::optional<JobId>> FindChainStep(JobId chain_id, const std::string& name);
  // Newest first.
  Result<std::vector<Job>> List(const JobFilter& filter);
  // Events of a job with id > after_id, oldest first.
  Result<std::vector<Event>> JobEvents(JobId id, int64_t after_id, int limit);
  // The newest event id, for waiters ("did anything change since?").
  Result<int64_t> LastEventId();
  // Events of every job with id > after_id, oldest first (a front-end's job feed reads with it;
  // storage/job_store_feed.cc).
  Result<std::vector<Event>> EventsAfter(int64_t after_id, int limit);

  // Cancels a job not yet running (and, with cascade, everything downstream of it) at once; for
  // a running job, records the request for the runner to carry out. FailedPrecondition for a job
  // already finished.
  Result<CancelOutcome> Cancel(JobId id, bool cascade, const std::string& reason, int64_t now_ms);

  // --- Runner side ---
  // Pending jobs whose dependencies are met and whose run_at has come become queued.
  Result<int> PromoteDue(int64_t now_ms);
  // The earliest run_at of a pending job with its dependencies met.
  Result<std::optional<int64_t>> NextDueMs();
  // Claims the highest-priority queued job whose queue has a free slot, if fewer than
  // `global_limit` jobs run in all. Exclusive across processes.
  Result<std::optional<Claim>> ClaimNext(const std::string& runner_id, int global_limit,
                                         int64_t now_ms);
  Status RecordSpawn(JobId id, int attempt, int pid, int64_t pid_start_ticks,
                     const std::string& stdout_path, const std::string& stderr_path);
  // Ends the attempt and moves the job to end.next_state; on a terminal state, resolves the jobs
  // that depend on it (queues, skips) in the same transaction. FailedPrecondition when the
  // attempt is not the running one (ended or recovered already): recording it again can never
  // succeed. Unavailable (busy, read-only file) or Internal (I/O error, disk full): nothing was
  // written, and the same end may be recorded again once storage works.
  Status FinishAttempt(const AttemptEnd& end, int64_t now_ms);
  // Running jobs whose cancellation was requested.
  Result<std::vector<JobId>> CancelRequested();
  // Attempts still open that belong to another runner (which, holding no lock, is dead).
  Result<std::vector<Attempt>> OrphanedAttempts(const std::string& live_runner_id);
  // True when anything is pending, queued or running, or a schedule exists.
  Result<bool> HasUnfinishedWork();
  // Records this runner and prunes the rows of dead ones (the caller holds the runner lock).
  Status RegisterRunner(const std::string& runner_id, int pid, int64_t now_ms);
  Status HeartbeatRunner(const std::string& runner_id, int64_t now_ms);

  // The most recently registered runner (whose heartbeat tells whether it is alive), if any.
  Result<std::optional<RunnerInfo>> LatestRunner();

  // --- Dead letters (storage/job_store_admin.cc) ---
  // Re-queues a failed, dead, cancelled or skipped job with fresh attempts: its retry policy
  // counts again from zero (attempt_base), attempt numbers continue, attempts and events are
  // kept, and a `retried` event is written. Dependents it skipped or cancelled stay as they are.
  // FailedPrecondition for a job that succeeded or is not finished; NotFound.
  Result<Job> Requeue(JobId id, const std::string& reason, int64_t now_ms);

  // --- Retention (storage/job_store_admin.cc) ---
  // Deletes up to `limit` finished jobs that finished before `cutoff_ms` (with their attempts,
  // dependency edges and events) and events older than `cutoff_ms` that belong to no job. A job
  // is kept while a job that is not finished depends on it.
  Result<PruneResult> Prune(int64_t cutoff_ms, int limit);

  // --- Schedules (storage/job_store_schedules.cc) ---
  // Inserts `s` (id, counters ignored) with a `schedule_created` event. AlreadyExists when the
  // name is taken.
  Result<Schedule> CreateSchedule(const Schedule& s, int64_t now_ms);
  Result<std::vector<Schedule>> ListSchedules();
  // By name. NotFound.
  Result<Schedule> GetSchedule(const std::string& name);
  // NotFound when there is no such schedule. Jobs it created stay.
  Status DeleteSchedule(const std::string& name, int64_t now_ms);
  // Schedules whose next run is at or before now_ms.
  Result<std::vector<Schedule>> DueSchedules(int64_t now_ms);
  // The earliest next run of any schedule.
  Result<std::optional<int64_t>> NextScheduleMs();
  // Applies a firing in one transaction: the `missed` event (when f.missed > 0), the job (when
  // f.enqueue; labelled schedule=<name>) and the new next_run. Returns the job id, if any;
  // FailedPrecondition when the schedule changed or fired meanwhile (nothing is written).
  Result<std::optional<JobId>> FireSchedule(const ScheduleFiring& f, int64_t now_ms);

  // --- MCP tasks (storage/job_store_tasks.cc) ---
  // Inserts the task (seq ignored). InvalidArgument when a job does not exist.
  Status CreateTask(const TaskRecord& task);
  // The task `id` of `principal`. NotFound when there is no such task, it belongs to another
  // principal (indistinguishable on purpose), or its ttl has run out at now_ms.
  Result<TaskRecord> GetTask(const std::string& id, const std::string& principal, int64_t now_ms);
  // Records that the task was cancelled (the first time only). NotFound as GetTask.
  Status MarkTaskCancelled(const std::string& id, const std::string& principal, int64_t now_ms);
  // Tasks of `principal` with seq > after_seq, oldest first, at most `limit`, unexpired.
  Result<std::vector<TaskRecord>> ListTasks(const std::string& principal, int64_t after_seq,
                                            int limit, int64_t now_ms);
  // Unexpired tasks (of any principal) on any of `job_ids`, for news of their status.
  Result<std::vector<TaskRecord>> TasksOfJobs(const std::vector<JobId>& job_ids, int64_t now_ms);
  // Deletes tasks whose ttl ran out before now_ms; returns how many.
  Result<int> PruneExpiredTasks(int64_t now_ms);

  // --- Front-ends: who wants to hear of job ends ---
  Status RegisterFrontend(const std::string& bell, int pid, int64_t now_ms);
  Status UnregisterFrontend(const std::string& bell);
  Result<std::vector<std::string>> FrontendBells();

  // --- Outbox ---
  Result<std::vector<Event>> UnpublishedEvents(int limit);
  // The same events, each with its job's summary, in one query (the drainer's read).
  Result<std::vector<OutboxEvent>> UnpublishedEventsWithJobs(int limit);
  Status MarkPublished(const std::vector<int64_t>& event_ids);

  // --- Queues ---
  Status SetQueueConcurrency(const std::string& queue, std::optional<int> limit);
  Status SetQueuePaused(const std::string& queue, bool paused);
  // Every queue that has settings or jobs, with its counts.
  Result<std::vector<QueueInfo>> ListQueues();

 private:
  JobStore(std::shared_ptr<storage::Connection> conn, std::string path, StoreOptions options);
  Result<EnqueueOutcome> EnqueueLocked(const EnqueueRequest& request,
                                       const std::vector<EnqueueOutcome>& batch, int64_t now_ms);
  Status Transition(JobId id, JobState from, JobState to, int64_t now_ms, const std::string& queue,
                    const std::string& event_data_json);
  Status InsertEvent(JobId id, const std::string& type, const std::string& queue,
                     const std::string& data_json, int64_t now_ms);
  Status ResolveDependents(JobId upstream, JobState upstream_state, bool cancel_all,
                           const std::string& reason, int64_t now_ms,
                           std::vector<JobId>* cascaded);
  Result<Job> GetLocked(JobId id);
  // The Event of a row selected as: id, ts_ms, job_id (0 when none), type, queue, data.
  static Event ReadEvent(storage::Stmt& st);
  // The job ClaimNext would take now, if any.
  Result<std::optional<JobId>> ClaimableLocked(int global_limit);
  // Saga: after chain step `failed` ended failed or dead, enqueues the compensations
  // (on_failure) of the chain's succeeded earlier steps, latest first, one after another.
  Status StartCompensationsLocked(const Job& failed, int64_t now_ms);

  std::shared_ptr<storage::Connection> conn_;
  std::mutex& mu_;   // conn_->mu
  storage::Db* db_;  // conn_->db
  std::string path_;
  StoreOptions options_;
};

}  // namespace baton
