// JobStore: dead letters (manual re-queue), retention, queue listing, runner health and the saga
// compensations of failed chains. Split from job_store.cc by concept; same class, same rules
// (one transaction per method, every state change with its event).
#include <nlohmann/json.hpp>

#include "storage/job_lifecycle.h"
#include "storage/job_store.h"
#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Stmt;
using storage::Transaction;

Result<Job> JobStore::Requeue(JobId id, const std::string& reason, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Job job, GetLocked(id));
  if (job.state == JobState::kSucceeded)
    return Status::FailedPrecondition("job " + std::to_string(id) +
                                      " succeeded; enqueue a new job to run it again");
  if (!IsTerminal(job.state))
    return Status::FailedPrecondition("job " + std::to_string(id) + " is still " +
                                      ToString(job.state) +
                                      "; only a failed, dead, cancelled or skipped job can be "
                                      "retried");
  json data = {{"previous_state", ToString(job.state)}, {"attempts_before", job.attempt}};
  if (!reason.empty()) data["reason"] = reason;
  BATON_RETURN_IF_ERROR(InsertEvent(id, "retried", job.spec.queue, data.dump(), now_ms));
  BATON_RETURN_IF_ERROR(Transition(id, job.state, JobState::kQueued, now_ms, job.spec.queue,
                                   json({{"retry", true}}).dump()));
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "UPDATE jobs SET attempt_base = attempt, run_at_ms = ?, error = '', exit_code = NULL, "
        "signal = NULL, cancel_requested = 0, unmet_deps = 0 WHERE id = ?"));
    st->Bind(1, now_ms).Bind(2, id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  BATON_ASSIGN_OR_RETURN(Job out, GetLocked(id));
  BATON_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<PruneResult> JobStore::Prune(int64_t cutoff_ms, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  PruneResult out;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT j.id FROM jobs j WHERE j.finished_ms IS NOT NULL AND j.finished_ms < ? "
        "AND j.state IN ('succeeded','failed','dead','cancelled','skipped') "
        "AND NOT EXISTS (SELECT 1 FROM deps d JOIN jobs k ON k.id = d.job_id "
        "  WHERE d.depends_on = j.id AND k.state IN ('pending','queued','running')) "
        "ORDER BY j.finished_ms LIMIT ?"));
    st->Bind(1, cutoff_ms).Bind(2, limit);
    BATON_ASSIGN_OR_RETURN(out.jobs, st->ReadAll<JobId>([](Stmt& row) { return row.Int(0); }));
  }
  for (JobId id : out.jobs) {
    struct Delete { const char* sql; bool events; };
    for (const Delete& d : {Delete{"DELETE FROM events WHERE job_id = ?", true},
                            Delete{"DELETE FROM deps WHERE depends_on = ?", false},
                            Delete{"DELETE FROM jobs WHERE id = ?", false}}) {
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(d.sql));
      st->Bind(1, id);
      BATON_RETURN_IF_ERROR(st->Run());
      if (d.events) out.events += db_->Changes();
    }
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "DELETE FROM events WHERE ts_ms < ? AND (job_id IS NULL OR job_id NOT IN "
        "(SELECT id FROM jobs))"));
    st->Bind(1, cutoff_ms);
    BATON_RETURN_IF_ERROR(st->Run());
    out.events += db_->Changes();
  }
  {  // The policy decision log ages out with the jobs.
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("DELETE FROM decisions WHERE ts_ms < ?"));
    st->Bind(1, cutoff_ms);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  BATON_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<std::vector<QueueInfo>> JobStore::ListQueues() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "WITH names AS (SELECT name FROM queues UNION SELECT DISTINCT queue FROM jobs "
      "  WHERE state IN ('pending','queued','running','dead')) "
      "SELECT n.name, q.concurrency, COALESCE(q.paused, 0), "
      " (SELECT COUNT(*) FROM jobs WHERE queue = n.name AND state = 'queued'), "
      " (SELECT COUNT(*) FROM jobs WHERE queue = n.name AND state = 'running'), "
      " (SELECT COUNT(*) FROM jobs WHERE queue = n.name AND state = 'pending'), "
      " (SELECT COUNT(*) FROM jobs WHERE queue = n.name AND state = 'dead') "
      "FROM names n LEFT JOIN queues q ON q.name = n.name ORDER BY n.name"));
  return st->ReadAll<QueueInfo>([](Stmt& row) {
    QueueInfo q;
    q.name = row.Text(0);
    if (!row.IsNull(1)) q.concurrency = static_cast<int>(row.Int(1));
    q.paused = row.Int(2) != 0;
    q.queued = row.Int(3);
    q.running = row.Int(4);
    q.pending = row.Int(5);
    q.dead = row.Int(6);
    return q;
  });
}

Result<std::optional<RunnerInfo>> JobStore::LatestRunner() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, pid, host, started_ms, heartbeat_ms FROM runners "
      "ORDER BY rowid DESC LIMIT 1"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<RunnerInfo> out;
  if (row)
    out = RunnerInfo{st->Text(0), static_cast<int>(st->Int(1)), st->Text(2), st->Int(3),
                     st->Int(4)};
  st->Reset();
  return out;
}

Status JobStore::StartCompensationsLocked(const Job& failed, int64_t now_ms) {
  const JobId chain = *failed.chain_id;
  std::vector<JobId> done;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT id FROM jobs WHERE (chain_id = ? OR id = ?) AND id < ? AND state = 'succeeded' "
        "ORDER BY id DESC"));
    st->Bind(1, chain).Bind(2, chain).Bind(3, failed.id);
    BATON_ASSIGN_OR_RETURN(done, st->ReadAll<JobId>([](Stmt& row) { return row.Int(0); }));
  }
  json compensations = json::array(), compensated = json::array();
  std::optional<JobId> previous;
  for (JobId step_id : done) {
    BATON_ASSIGN_OR_RETURN(Job step, GetLocked(step_id));
    if (step.spec.on_failure.empty()) continue;
    {  // each completed step is compensated at most once
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
          "SELECT EXISTS(SELECT 1 FROM jobs WHERE json_extract(labels, '$.\"baton.compensates\"')"
          " = ?)"));
      st->Bind(1, std::to_string(step_id));
      BATON_ASSIGN_OR_RETURN(bool row, st->Step());
      bool exists = row && st->Int(0) != 0;
      st->Reset();
      if (exists) continue;
    }
    EnqueueRequest req;
    req.spec = step.spec.on_failure.front();
    req.spec.labels["baton.compensates"] = std::to_string(step_id);
    req.spec.labels["baton.failed_step"] = std::to_string(failed.id);
    req.spec.labels["baton.origin"] = "compensation";  // the runner checks it with the policy first
    req.spec.idempotency_key.reset();
    req.spec.depends_on.clear();
    if (previous) req.spec.depends_on.push_back({*previous, DepCondition::kAlways});
    req.origin = failed.origin;
    BATON_ASSIGN_OR_RETURN(EnqueueOutcome o, EnqueueLocked(req, {}, now_ms));
    previous = o.id;
    compensations.push_back(o.id);
    compensated.push_back(step_id);
  }
  if (compensations.empty()) return Status::OK();
  return InsertEvent(failed.id, "compensating", failed.spec.queue,
                     json({{"compensations", compensations}, {"steps", compensated}}).dump(),
                     now_ms);
}

}  // namespace baton
