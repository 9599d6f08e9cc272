#include "storage/job_store.h"

#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "storage/job_lifecycle.h"
#include "storage/job_spec.h"
#include "storage/migrations.h"
#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Db;
using storage::Stmt;
using storage::Transaction;

namespace {

constexpr const char* kJobColumns =
    "id, state, queue, priority, run_at_ms, created_ms, updated_ms, started_ms, finished_ms, "
    "attempt, spec, session, principal, chain_id, chain_step, exit_code, signal, error, "
    "stdout_tail, stderr_tail, cancel_requested, attempt_base, "
    "(SELECT outcome FROM attempts WHERE attempts.job_id = jobs.id AND ended_ms IS NOT NULL "
    "ORDER BY number DESC LIMIT 1)";

Result<Job> ReadJob(Stmt& st) {
  Job j;
  j.id = st.Int(0);
  auto state = JobStateFromString(st.Text(1));
  if (!state) return Status::Internal("job " + std::to_string(j.id) + " has unknown state");
  j.state = *state;
  j.run_at_ms = st.Int(4);
  j.created_ms = st.Int(5);
  j.updated_ms = st.Int(6);
  j.started_ms = st.OptInt(7);
  j.finished_ms = st.OptInt(8);
  j.attempt = static_cast<int>(st.Int(9));
  auto stored_spec = ParseJson(st.Text(10));
  if (!stored_spec.ok())
    return Status::Internal("job " + std::to_string(j.id) + " has an unreadable spec: " +
                            stored_spec.status().message());
  json spec = std::move(stored_spec).value();
  SpecContext ctx;
  ctx.verify_cwd = false;
  ctx.stored = true;
  auto parsed = ParseJobSpec(spec, ctx);
  if (!parsed.ok())
    return Status::Internal("job " + std::to_string(j.id) + " has an unreadable spec: " +
                            parsed.status().message());
  j.spec = std::move(parsed).value();
  j.origin.session = st.Text(11);
  j.origin.principal = st.Text(12);
  if (!st.IsNull(13)) j.chain_id = st.Int(13);
  j.chain_step = static_cast<int>(st.Int(14));
  if (!st.IsNull(15)) j.exit_code = static_cast<int>(st.Int(15));
  if (!st.IsNull(16)) j.signal = static_cast<int>(st.Int(16));
  j.error = st.Text(17);
  j.stdout_tail = st.Text(18);
  j.stderr_tail = st.Text(19);
  j.cancel_requested = st.Int(20) != 0;
  j.attempt_base = static_cast<int>(st.Int(21));
  if (!st.IsNull(22)) j.last_outcome = AttemptOutcomeFromString(st.Text(22));
  return j;
}

Result<Attempt> ReadAttempt(Stmt& st) {
  Attempt a;
  a.job_id = st.Int(0);
  a.number = static_cast<int>(st.Int(1));
  a.runner_id = st.Text(2);
  a.started_ms = st.Int(3);
  a.ended_ms = st.OptInt(4);
  if (!st.IsNull(5)) a.pid = static_cast<int>(st.Int(5));
  a.pid_start_ticks = st.OptInt(6);
  if (!st.IsNull(7)) {
    a.outcome = AttemptOutcomeFromString(st.Text(7));
  }
  if (!st.IsNull(8)) a.exit_code = static_cast<int>(st.Int(8));
  if (!st.IsNull(9)) a.signal = static_cast<int>(st.Int(9));
  a.error = st.Text(10);
  a.stdout_path = st.Text(11);
  a.stderr_path = st.Text(12);
  a.worktree = st.Text(13);
  return a;
}

constexpr const char* kAttemptColumns =
    "job_id, number, runner_id, started_ms, ended_ms, pid, pid_start_ticks, outcome, exit_code, "
    "signal, error, stdout_path, stderr_path, worktree";

bool ConditionMet(DepCondition c, JobState upstream) {
  switch (c) {
    case DepCondition::kSuccess: return upstream == JobState::kSucceeded;
    case DepCondition::kFailure: return upstream == JobState::kFailed || upstream == JobState::kDead;
    case DepCondition::kAlways: return IsTerminal(upstream);
  }
  return false;
}

DepCondition ConditionFromString(const std::string& s) {
  if (s == "failure") return DepCondition::kFailure;
  if (s == "always") return DepCondition::kAlways;
  return DepCondition::kSuccess;
}

}  // namespace

JobStore::JobStore(std::shared_ptr<storage::Connection> conn, std::string path,
                   StoreOptions options)
    : conn_(std::move(conn)), mu_(conn_->mu), db_(conn_->db.get()), path_(std::move(path)),
      options_(options) {}

JobStore::~JobStore() = default;

Result<std::unique_ptr<JobStore>> JobStore::Open(const std::string& path, StoreOptions options) {
  BATON_ASSIGN_OR_RETURN(auto db, Db::Open(path, options.synchronous_full));
  BATON_RETURN_IF_ERROR(storage::Migrate(*db));
  auto conn = std::make_shared<storage::Connection>();
  conn->db = std::move(db);
  return std::unique_ptr<JobStore>(new JobStore(std::move(conn), path, options));
}

void JobStore::BeginGroup() {
  std::lock_guard<std::mutex> lock(mu_);
  db_->BeginGroup();
}

Status JobStore::EndGroup() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->EndGroup();
}

Status JobStore::InsertEvent(JobId id, const std::string& type, const std::string& queue,
                             const std::string& data_json, int64_t now_ms) {
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT INTO events(ts_ms, job_id, type, queue, data) VALUES(?,?,?,?,?)"));
  st->Bind(1, now_ms).Bind(3, type).Bind(4, queue).Bind(5, data_json);
  if (id > 0) st->Bind(2, id);
  else st->BindNull(2);  // an event of no job (schedules)
  return st->Run();
}

Status JobStore::Transition(JobId id, JobState from, JobState to, int64_t now_ms,
                            const std::string& queue, const std::string& event_data_json) {
  if (!CanTransition(from, to))
    return Status::FailedPrecondition("job " + std::to_string(id) + " cannot go from " +
                                      ToString(from) + " to " + ToString(to));
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "UPDATE jobs SET state = ?, updated_ms = ?, "
      "finished_ms = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ? AND state = ?"));
  st->Bind(1, ToString(to)).Bind(2, now_ms).Bind(3, IsTerminal(to) ? 1 : 0).Bind(4, now_ms);
  st->Bind(5, id).Bind(6, ToString(from));
  BATON_RETURN_IF_ERROR(st->Run());
  if (db_->Changes() != 1)
    return Status::FailedPrecondition("job " + std::to_string(id) + " is no longer " +
                                      ToString(from));
  return InsertEvent(id, ToString(to), queue, event_data_json, now_ms);
}

Result<EnqueueOutcome> JobStore::Enqueue(const EnqueueRequest& request, int64_t now_ms) {
  BATON_ASSIGN_OR_RETURN(auto outcomes, EnqueueBatch({request}, now_ms));
  return outcomes.front();
}

Result<std::vector<EnqueueOutcome>> JobStore::EnqueueBatch(
    const std::vector<EnqueueRequest>& requests, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  std::vector<EnqueueOutcome> out;
  out.reserve(requests.size());
  for (const EnqueueRequest& r : requests) {
    BATON_ASSIGN_OR_RETURN(EnqueueOutcome o, EnqueueLocked(r, out, now_ms));
    out.push_back(o);
  }
  BATON_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<EnqueueOutcome> JobStore::EnqueueLocked(const EnqueueRequest& r,
                                               const std::vector<EnqueueOutcome>& batch,
                                               int64_t now_ms) {
  auto resolve = [&](JobId id) -> Result<JobId> {
    if (id > 0) return id;
    size_t k = static_cast<size_t>(-id);
    if (k < 1 || k > batch.size())
      return Status::InvalidArgument("reference to batch entry " + std::to_string(k) +
                                     " that comes later or does not exist");
    return batch[k - 1].id;
  };
  const JobSpec& spec = r.spec;
  if (spec.idempotency_key) {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT id, state FROM jobs WHERE idempotency_key = ? AND created_ms >= ? "
        "ORDER BY id DESC LIMIT 1"));
    st->Bind(1, *spec.idempotency_key).Bind(2, now_ms - options_.idempotency_window_ms);
    BATON_ASSIGN_OR_RETURN(bool found, st->Step());
    if (found) {
      EnqueueOutcome o;
      o.id = st->Int(0);
      o.state = JobStateFromString(st->Text(1)).value_or(JobState::kQueued);
      o.existed = true;
      st->Reset();
      return o;
    }
  }
  // Dependencies: each one already finished is decided now; the rest are counted.
  JobSpec stored = spec;
  int unmet = 0;
  std::string skip_reason;
  for (Dependency& d : stored.depends_on) {
    BATON_ASSIGN_OR_RETURN(d.job_id, resolve(d.job_id));
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT state FROM jobs WHERE id = ?"));
    st->Bind(1, d.job_id);
    BATON_ASSIGN_OR_RETURN(bool found, st->Step());
    if (!found)
      return Status::InvalidArgument("`depends_on`: job " + std::to_string(d.job_id) +
                                     " does not exist");
    JobState up = JobStateFromString(st->Text(0)).value_or(JobState::kPending);
    st->Reset();
    if (!IsTerminal(up)) {
      ++unmet;
    } else if (!ConditionMet(d.condition, up) && skip_reason.empty()) {
      skip_reason = "dependency job " + std::to_string(d.job_id) + " ended " + ToString(up) +
                    " but this job needed " + ToString(d.condition);
    }
  }
  std::optional<JobId> chain_id;
  bool chain_self = r.chain_id && *r.chain_id == -static_cast<JobId>(batch.size() + 1);
  if (r.chain_id && !chain_self) {
    BATON_ASSIGN_OR_RETURN(JobId c, resolve(*r.chain_id));
    chain_id = c;
  }
  int64_t run_at = stored.run_at_ms.value_or(now_ms);
  JobState state = (unmet > 0 || run_at > now_ms) ? JobState::kPending : JobState::kQueued;
  BATON_ASSIGN_OR_RETURN(Stmt * ins, db_->Cached(
      "INSERT INTO jobs(state, queue, priority, run_at_ms, created_ms, updated_ms, max_attempts, "
      "unmet_deps, spec, idempotency_key, session, principal, chain_id, chain_step, name, labels) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  ins->Bind(1, ToString(state)).Bind(2, stored.queue).Bind(3, stored.priority).Bind(4, run_at);
  ins->Bind(5, now_ms).Bind(6, now_ms).Bind(7, stored.retry.max_attempts).Bind(8, unmet);
  ins->Bind(9, JobSpecToJson(stored).dump()).Bind(10, stored.idempotency_key);
  ins->Bind(11, r.origin.session).Bind(12, r.origin.principal).Bind(13, chain_id);
  ins->Bind(14, r.chain_step).Bind(15, stored.name).Bind(16, json(stored.labels).dump());
  BATON_RETURN_IF_ERROR(ins->Run());
  JobId id = db_->LastInsertId();
  if (chain_self) {  // the first step of a chain names the chain
    chain_id = id;
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("UPDATE jobs SET chain_id = ? WHERE id = ?"));
    st->Bind(1, id).Bind(2, id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  for (const Dependency& d : stored.depends_on) {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "INSERT INTO deps(job_id, depends_on, condition) VALUES(?,?,?)"));
    st->Bind(1, id).Bind(2, d.job_id).Bind(3, ToString(d.condition));
    BATON_RETURN_IF_ERROR(st->Run());
  }
  json data = {{"state", ToString(state)}, {"command", stored.command}};
  if (chain_id) data["chain_id"] = *chain_id;
  if (!r.origin.session.empty()) data["session"] = r.origin.session;
  BATON_RETURN_IF_ERROR(InsertEvent(id, "enqueued", stored.queue, data.dump(), now_ms));
  EnqueueOutcome o{id, state, false};
  if (!skip_reason.empty()) {
    BATON_RETURN_IF_ERROR(Transition(id, state, JobState::kSkipped, now_ms, stored.queue,
                                     json({{"reason", skip_reason}}).dump()));
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("UPDATE jobs SET error = ? WHERE id = ?"));
    st->Bind(1, skip_reason).Bind(2, id);
    BATON_RETURN_IF_ERROR(st->Run());
    BATON_RETURN_IF_ERROR(ResolveDependents(id, JobState::kSkipped, false, skip_reason, now_ms, nullptr));
    o.state = JobState::kSkipped;
  }
  return o;
}

Result<Job> JobStore::GetLocked(JobId id) {
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kJobColumns +
                                                " FROM jobs WHERE id = ?"));
  st->Bind(1, id);
  BATON_ASSIGN_OR_RETURN(bool found, st->Step());
  if (!found) return Status::NotFound("job " + std::to_string(id) + " does not exist");
  auto job = ReadJob(*st);
  st->Reset();
  return job;
}

Result<Job> JobStore::Get(JobId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return GetLocked(id);
}

Result<std::vector<Attempt>> JobStore::Attempts(JobId id) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kAttemptColumns +
                                                " FROM attempts WHERE job_id = ? ORDER BY number"));
  st->Bind(1, id);
  return st->ReadAll<Attempt>(ReadAttempt);
}

Result<std::optional<JobId>> JobStore::FindChainStep(JobId chain_id, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id FROM jobs WHERE (chain_id = ? OR id = ?) AND name = ? ORDER BY id LIMIT 1"));
  st->Bind(1, chain_id).Bind(2, chain_id).Bind(3, name);
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<JobId> id = row ? std::optional<JobId>(st->Int(0)) : std::nullopt;
  st->Reset();
  return id;
}

Result<std::vector<Job>> JobStore::List(const JobFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1";
  if (!f.states.empty()) {
    sql += " AND state IN (";
    for (size_t i = 0; i < f.states.size(); ++i) sql += i ? ",?" : "?";
    sql += ")";
  }
  if (!f.queue.empty()) sql += " AND queue = ?";
  if (!f.session.empty()) sql += " AND session = ?";
  if (!f.label_key.empty()) sql += " AND json_extract(labels, '$.' || json_quote(?)) = ?";
  if (f.created_after_ms) sql += " AND created_ms >= ?";
  if (f.created_before_ms) sql += " AND created_ms < ?";
  if (f.before_id) sql += " AND id < ?";
  sql += " ORDER BY id DESC LIMIT ?";
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(sql));
  int i = 1;
  for (JobState s : f.states) st->Bind(i++, ToString(s));
  if (!f.queue.empty()) st->Bind(i++, f.queue);
  if (!f.session.empty()) st->Bind(i++, f.session);
  if (!f.label_key.empty()) {
    st->Bind(i++, f.label_key);
    st->Bind(i++, f.label_value);
  }
  if (f.created_after_ms) st->Bind(i++, *f.created_after_ms);
  if (f.created_before_ms) st->Bind(i++, *f.created_before_ms);
  if (f.before_id) st->Bind(i++, *f.before_id);
  st->Bind(i++, f.limit);
  return st->ReadAll<Job>(ReadJob);
}

Result<std::vector<Event>> JobStore::JobEvents(JobId id, int64_t after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, job_id, type, queue, data FROM events WHERE job_id = ? AND id > ? "
      "ORDER BY id LIMIT ?"));
  st->Bind(1, id).Bind(2, after_id).Bind(3, limit);
  return st->ReadAll<Event>(ReadEvent);
}

Result<int64_t> JobStore::LastEventId() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT COALESCE(MAX(id), 0) FROM events"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t v = row ? st->Int(0) : 0;
  st->Reset();
  return v;
}

Status JobStore::ResolveDependents(JobId upstream, JobState upstream_state, bool cancel_all,
                                   const std::string& reason, int64_t now_ms,
                                   std::vector<JobId>* cascaded) {
  struct Item { JobId id; JobState state; };
  std::vector<Item> work = {{upstream, upstream_state}};
  while (!work.empty()) {
    Item up = work.back();
    work.pop_back();
    using Down = std::tuple<JobId, DepCondition, JobState, std::string, int64_t, int64_t>;
    std::vector<Down> downs;
    {
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
          "SELECT d.job_id, d.condition, j.state, j.queue, j.unmet_deps, j.run_at_ms "
          "FROM deps d JOIN jobs j ON j.id = d.job_id WHERE d.depends_on = ?"));
      st->Bind(1, up.id);
      BATON_ASSIGN_OR_RETURN(downs, st->ReadAll<Down>([](Stmt& row) {
        return Down(row.Int(0), ConditionFromString(row.Text(1)),
                    JobStateFromString(row.Text(2)).value_or(JobState::kPending), row.Text(3),
                    row.Int(4), row.Int(5));
      }));
    }
    for (auto& [id, cond, state, queue, unmet, run_at] : downs) {
      if (state != JobState::kPending) continue;  // already resolved (or re-run by hand)
      std::string why;
      JobState to;
      if (cancel_all) {
        to = JobState::kCancelled;
        why = "cancelled because job " + std::to_string(up.id) + " was cancelled" +
              (reason.empty() ? "" : " (" + reason + ")");
      } else if (ConditionMet(cond, up.state)) {
        BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
            "UPDATE jobs SET unmet_deps = unmet_deps - 1 WHERE id = ?"));
        st->Bind(1, id);
        BATON_RETURN_IF_ERROR(st->Run());
        if (unmet - 1 > 0 || run_at > now_ms) continue;
        BATON_RETURN_IF_ERROR(Transition(id, JobState::kPending, JobState::kQueued, now_ms, queue,
                                         json({{"after", up.id}}).dump()));
        continue;
      } else {
        to = JobState::kSkipped;
        why = "dependency job " + std::to_string(up.id) + " ended " + ToString(up.state) +
              " but this job needed " + ToString(cond);
      }
      BATON_RETURN_IF_ERROR(Transition(id, JobState::kPending, to, now_ms, queue,
                                       json({{"reason", why}}).dump()));
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("UPDATE jobs SET error = ? WHERE id = ?"));
      st->Bind(1, why).Bind(2, id);
      BATON_RETURN_IF_ERROR(st->Run());
      if (cascaded) cascaded->push_back(id);
      work.push_back({id, to});
    }
  }
  return Status::OK();
}

Result<CancelOutcome> JobStore::Cancel(JobId id, bool cascade, const std::string& reason,
                                       int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Job job, GetLocked(id));
  CancelOutcome out{job.state, {}};
  if (IsTerminal(job.state))
    return Status::FailedPrecondition("job " + std::to_string(id) + " already finished (" +
                                      ToString(job.state) + "); there is nothing to cancel");
  std::string why = reason.empty() ? "cancelled by request" : reason;
  if (job.state == JobState::kRunning) {
    if (!job.cancel_requested) {
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
          "UPDATE jobs SET cancel_requested = 1, error = ?, updated_ms = ? WHERE id = ?"));
      st->Bind(1, why).Bind(2, now_ms).Bind(3, id);
      BATON_RETURN_IF_ERROR(st->Run());
      BATON_RETURN_IF_ERROR(InsertEvent(id, "cancel_requested", job.spec.queue,
                                        json({{"reason", why}}).dump(), now_ms));
    }
  } else {
    BATON_RETURN_IF_ERROR(Transition(id, job.state, JobState::kCancelled, now_ms, job.spec.queue,
                                     json({{"reason", why}}).dump()));
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("UPDATE jobs SET error = ? WHERE id = ?"));
    st->Bind(1, why).Bind(2, id);
    BATON_RETURN_IF_ERROR(st->Run());
    out.state = JobState::kCancelled;
  }
  if (cascade || out.state == JobState::kCancelled)
    BATON_RETURN_IF_ERROR(ResolveDependents(id, JobState::kCancelled, cascade, why, now_ms,
                                            &out.cascaded));
  BATON_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<std::vector<Attempt>> JobStore::OrphanedAttempts(const std::string& live_runner_id) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      std::string("SELECT ") + kAttemptColumns +
      " FROM attempts WHERE ended_ms IS NULL AND runner_id != ?"));
  st->Bind(1, live_runner_id);
  return st->ReadAll<Attempt>(ReadAttempt);
}

}  // namespace baton
