// The runner's side of JobStore (storage/job_store.h): promoting due jobs, claiming, ending
// attempts, process registrations, the event outbox and queue settings.
#include "storage/job_store.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Stmt;
using storage::Transaction;

Result<int> JobStore::PromoteDue(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<JobId, std::string>> due;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        // INDEXED BY: without statistics SQLite picks jobs_state and walks every pending job
        // (a day's backlog of delayed jobs) on each runner wake; jobs_due holds just these.
        "SELECT id, queue FROM jobs INDEXED BY jobs_due WHERE state = 'pending' AND "
        "unmet_deps = 0 AND run_at_ms <= ? ORDER BY run_at_ms LIMIT 1000"));
    st->Bind(1, now_ms);
    using Due = std::pair<JobId, std::string>;
    BATON_ASSIGN_OR_RETURN(due, st->ReadAll<Due>([](Stmt& row) {
      return Due(row.Int(0), row.Text(1));
    }));
  }
  if (due.empty()) return 0;
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  int n = 0;
  for (const auto& [id, queue] : due) {
    Status s = Transition(id, JobState::kPending, JobState::kQueued, now_ms, queue, "{}");
    if (s.ok()) ++n;
    else if (s.code() != StatusCode::kFailedPrecondition) return s;  // raced: fine
  }
  BATON_RETURN_IF_ERROR(tx->Commit());
  return n;
}

Result<std::optional<int64_t>> JobStore::NextDueMs() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT MIN(run_at_ms) FROM jobs INDEXED BY jobs_due WHERE state = 'pending' AND "
      "unmet_deps = 0"));  // the index's first entry, not a walk of every pending job
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<int64_t> v = row ? st->OptInt(0) : std::nullopt;
  st->Reset();
  return v;
}

Result<std::optional<JobId>> JobStore::ClaimableLocked(int global_limit) {
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st,
                           db_->Cached("SELECT COUNT(*) FROM jobs WHERE state = 'running'"));
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    int64_t running = row ? st->Int(0) : 0;
    st->Reset();
    if (running >= global_limit) return std::optional<JobId>();
  }
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      // INDEXED BY: without it SQLite picks jobs_state and sorts every queued job on each
      // claim (2.2 ms at 2,000 queued, O(n^2) over a backlog); jobs_ready gives the order.
      "SELECT j.id FROM jobs j INDEXED BY jobs_ready LEFT JOIN queues q ON q.name = j.queue "
      "WHERE j.state = 'queued' AND COALESCE(q.paused, 0) = 0 AND (q.concurrency IS NULL OR "
      "(SELECT COUNT(*) FROM jobs r WHERE r.state = 'running' AND r.queue = j.queue) "
      "< q.concurrency) ORDER BY j.priority DESC, j.run_at_ms, j.id LIMIT 1"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<JobId> id;
  if (row) id = st->Int(0);
  st->Reset();
  return id;
}

Result<std::optional<Claim>> JobStore::ClaimNext(const std::string& runner_id, int global_limit,
                                                 int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  // Look first without the write lock (a WAL read never waits): most wake-ups find nothing to
  // claim, and taking BEGIN IMMEDIATE for them made enqueuing front-ends wait for the runner.
  BATON_ASSIGN_OR_RETURN(std::optional<JobId> candidate, ClaimableLocked(global_limit));
  if (!candidate) return std::optional<Claim>();
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  // Decided again inside the transaction: another process may have changed things meanwhile.
  BATON_ASSIGN_OR_RETURN(candidate, ClaimableLocked(global_limit));
  if (!candidate) return std::optional<Claim>();
  JobId id = *candidate;
  BATON_ASSIGN_OR_RETURN(Job job, GetLocked(id));
  int attempt = job.attempt + 1;
  BATON_RETURN_IF_ERROR(Transition(id, JobState::kQueued, JobState::kRunning, now_ms,
                                   job.spec.queue,
                                   json({{"attempt", attempt}, {"runner", runner_id}}).dump()));
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "UPDATE jobs SET attempt = ?, started_ms = ?, cancel_requested = 0, exit_code = NULL, "
        "signal = NULL, error = '' WHERE id = ?"));
    st->Bind(1, attempt).Bind(2, now_ms).Bind(3, id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "INSERT INTO attempts(job_id, number, runner_id, started_ms) VALUES(?,?,?,?)"));
    st->Bind(1, id).Bind(2, attempt).Bind(3, runner_id).Bind(4, now_ms);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  BATON_RETURN_IF_ERROR(tx->Commit());
  job.state = JobState::kRunning;
  job.attempt = attempt;
  job.started_ms = now_ms;
  return std::optional<Claim>(Claim{std::move(job), attempt});
}

Status JobStore::RecordSpawn(JobId id, int attempt, int pid, int64_t pid_start_ticks,
                             const std::string& stdout_path, const std::string& stderr_path) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "UPDATE attempts SET pid = ?, pid_start_ticks = ?, stdout_path = ?, stderr_path = ? "
      "WHERE job_id = ? AND number = ?"));
  st->Bind(1, pid).Bind(2, pid_start_ticks).Bind(3, stdout_path).Bind(4, stderr_path);
  st->Bind(5, id).Bind(6, attempt);
  return st->Run();
}

Status JobStore::FinishAttempt(const AttemptEnd& e, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Job job, GetLocked(e.job_id));
  if (job.state != JobState::kRunning || job.attempt != e.attempt)
    return Status::FailedPrecondition("job " + std::to_string(e.job_id) + " attempt " +
                                      std::to_string(e.attempt) + " is not the running one");
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "UPDATE attempts SET ended_ms = ?, outcome = ?, exit_code = ?, signal = ?, error = ?, "
        "worktree = ? WHERE job_id = ? AND number = ?"));
    st->Bind(1, now_ms).Bind(2, ToString(e.outcome)).Bind(3, e.exit_code).Bind(4, e.signal);
    st->Bind(5, e.error).Bind(6, e.worktree).Bind(7, e.job_id).Bind(8, e.attempt);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  json data = {{"attempt", e.attempt}, {"outcome", ToString(e.outcome)}};
  if (e.exit_code) data["exit_code"] = *e.exit_code;
  if (e.signal) data["signal"] = *e.signal;
  if (!e.error.empty()) data["error"] = e.error;
  if (e.next_state == JobState::kPending) data["retry_at"] = e.next_run_at_ms;
  BATON_RETURN_IF_ERROR(Transition(e.job_id, JobState::kRunning, e.next_state, now_ms,
                                   job.spec.queue, data.dump()));
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "UPDATE jobs SET exit_code = ?, signal = ?, error = ?, stdout_tail = ?, stderr_tail = ?, "
        "run_at_ms = CASE WHEN ? THEN ? ELSE run_at_ms END WHERE id = ?"));
    bool retry = !IsTerminal(e.next_state);
    st->Bind(1, e.exit_code).Bind(2, e.signal).Bind(3, e.error).Bind(4, e.stdout_tail);
    st->Bind(5, e.stderr_tail).Bind(6, retry ? 1 : 0).Bind(7, e.next_run_at_ms).Bind(8, e.job_id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  if (IsTerminal(e.next_state))
    BATON_RETURN_IF_ERROR(ResolveDependents(e.job_id, e.next_state, false, "", now_ms, nullptr));
  if ((e.next_state == JobState::kFailed || e.next_state == JobState::kDead) && job.chain_id)
    BATON_RETURN_IF_ERROR(StartCompensationsLocked(job, now_ms));
  return tx->Commit();
}

Result<std::vector<JobId>> JobStore::CancelRequested() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id FROM jobs WHERE state = 'running' AND cancel_requested = 1"));
  return st->ReadAll<JobId>([](Stmt& row) { return row.Int(0); });
}

Result<bool> JobStore::HasUnfinishedWork() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT EXISTS(SELECT 1 FROM jobs WHERE state IN ('pending','queued','running')) OR "
      "EXISTS(SELECT 1 FROM schedules)"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  bool v = row && st->Int(0) != 0;
  st->Reset();
  return v;
}

Status JobStore::RegisterRunner(const std::string& runner_id, int pid, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  // Only the holder of the runner lock registers, so every other row is a dead runner's.
  BATON_ASSIGN_OR_RETURN(Stmt * prune, db_->Cached("DELETE FROM runners WHERE id <> ?"));
  prune->Bind(1, runner_id);
  BATON_RETURN_IF_ERROR(prune->Run());
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT OR REPLACE INTO runners(id, pid, host, started_ms, heartbeat_ms) VALUES(?,?,?,?,?)"));
  st->Bind(1, runner_id).Bind(2, pid).Bind(3, std::string(host)).Bind(4, now_ms).Bind(5, now_ms);
  return st->Run();
}

Status JobStore::HeartbeatRunner(const std::string& runner_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st,
                         db_->Cached("UPDATE runners SET heartbeat_ms = ? WHERE id = ?"));
  st->Bind(1, now_ms).Bind(2, runner_id);
  return st->Run();
}

Status JobStore::RegisterFrontend(const std::string& bell, int pid, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT OR REPLACE INTO frontends(bell, pid, started_ms) VALUES(?,?,?)"));
  st->Bind(1, bell).Bind(2, pid).Bind(3, now_ms);
  return st->Run();
}

Status JobStore::UnregisterFrontend(const std::string& bell) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("DELETE FROM frontends WHERE bell = ?"));
  st->Bind(1, bell);
  return st->Run();
}

Result<std::vector<std::string>> JobStore::FrontendBells() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT bell FROM frontends"));
  return st->ReadAll<std::string>([](Stmt& row) { return row.Text(0); });
}

Result<std::vector<Event>> JobStore::UnpublishedEvents(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, COALESCE(job_id, 0), type, queue, data FROM events WHERE published = 0 "
      "ORDER BY id LIMIT ?"));
  st->Bind(1, limit);
  return st->ReadAll<Event>(ReadEvent);
}

Result<std::vector<OutboxEvent>> JobStore::UnpublishedEventsWithJobs(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT e.id, e.ts_ms, COALESCE(e.job_id, 0), e.type, e.queue, e.data, j.id, j.state, "
      "json_extract(j.spec, '$.command'), j.attempt, j.max_attempts, j.name, j.exit_code, "
      "j.signal, j.error, j.chain_id "
      "FROM (SELECT * FROM events WHERE published = 0 ORDER BY id LIMIT ?) e "
      "LEFT JOIN jobs j ON j.id = e.job_id ORDER BY e.id"));
  st->Bind(1, limit);
  return st->ReadAll<OutboxEvent>([](Stmt& row) {
    OutboxEvent o;
    o.event = ReadEvent(row);
    if (row.IsNull(6)) return o;  // the job is gone (retention)
    EventJobSummary& j = o.job.emplace();
    j.state = row.Text(7);
    j.command_json = row.Text(8);
    j.attempt = static_cast<int>(row.Int(9));
    j.max_attempts = static_cast<int>(row.Int(10));
    j.name = row.Text(11);
    if (!row.IsNull(12)) j.exit_code = static_cast<int>(row.Int(12));
    if (!row.IsNull(13)) j.signal = static_cast<int>(row.Int(13));
    j.error = row.Text(14);
    if (!row.IsNull(15)) j.chain_id = row.Int(15);
    return o;
  });
}

Status JobStore::MarkPublished(const std::vector<int64_t>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("UPDATE events SET published = 1 WHERE id = ?"));
  for (int64_t id : ids) {
    st->Reset();
    st->Bind(1, id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  return tx->Commit();
}

Status JobStore::SetQueueConcurrency(const std::string& queue, std::optional<int> limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT INTO queues(name, concurrency) VALUES(?, ?) "
      "ON CONFLICT(name) DO UPDATE SET concurrency = excluded.concurrency"));
  st->Bind(1, queue).Bind(2, limit);
  return st->Run();
}

Status JobStore::SetQueuePaused(const std::string& queue, bool paused) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT INTO queues(name, paused) VALUES(?, ?) "
      "ON CONFLICT(name) DO UPDATE SET paused = excluded.paused"));
  st->Bind(1, queue).Bind(2, paused ? 1 : 0);
  return st->Run();
}

}  // namespace baton
