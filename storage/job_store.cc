#include "storage/job_store.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

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
    "stdout_tail, stderr_tail, cancel_requested, attempt_base";

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
  json spec = json::parse(st.Text(10), nullptr, false);
  SpecContext ctx;
  ctx.verify_cwd = false;
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
    std::string o = st.Text(7);
    for (int i = 0; i <= static_cast<int>(AttemptOutcome::kSpawnError); ++i)
      if (o == ToString(static_cast<AttemptOutcome>(i))) a.outcome = static_cast<AttemptOutcome>(i);
  }
  if (!st.IsNull(8)) a.exit_code = static_cast<int>(st.Int(8));
  if (!st.IsNull(9)) a.signal = static_cast<int>(st.Int(9));
  a.error = st.Text(10);
  a.stdout_path = st.Text(11);
  a.stderr_path = st.Text(12);
  return a;
}

constexpr const char* kAttemptColumns =
    "job_id, number, runner_id, started_ms, ended_ms, pid, pid_start_ticks, outcome, exit_code, "
    "signal, error, stdout_path, stderr_path";

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

JobStore::JobStore(std::unique_ptr<Db> db, std::string path, StoreOptions options)
    : db_(std::move(db)), path_(std::move(path)), options_(options) {}

JobStore::~JobStore() = default;

Result<std::unique_ptr<JobStore>> JobStore::Open(const std::string& path, StoreOptions options) {
  BATON_ASSIGN_OR_RETURN(auto db, Db::Open(path, options.synchronous_full));
  BATON_RETURN_IF_ERROR(storage::Migrate(*db));
  return std::unique_ptr<JobStore>(new JobStore(std::move(db), path, options));
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
  std::vector<Attempt> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    BATON_ASSIGN_OR_RETURN(Attempt a, ReadAttempt(*st));
    out.push_back(std::move(a));
  }
  return out;
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
  std::vector<Job> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    BATON_ASSIGN_OR_RETURN(Job j, ReadJob(*st));
    out.push_back(std::move(j));
  }
  return out;
}

Result<std::vector<Event>> JobStore::JobEvents(JobId id, int64_t after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, job_id, type, queue, data FROM events WHERE job_id = ? AND id > ? "
      "ORDER BY id LIMIT ?"));
  st->Bind(1, id).Bind(2, after_id).Bind(3, limit);
  std::vector<Event> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), st->Int(2), st->Text(3), st->Text(4), st->Text(5)});
  }
  return out;
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
    std::vector<std::tuple<JobId, DepCondition, JobState, std::string, int64_t, int64_t>> downs;
    {
      BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
          "SELECT d.job_id, d.condition, j.state, j.queue, j.unmet_deps, j.run_at_ms "
          "FROM deps d JOIN jobs j ON j.id = d.job_id WHERE d.depends_on = ?"));
      st->Bind(1, up.id);
      while (true) {
        BATON_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        downs.emplace_back(st->Int(0), ConditionFromString(st->Text(1)),
                           JobStateFromString(st->Text(2)).value_or(JobState::kPending),
                           st->Text(3), st->Int(4), st->Int(5));
      }
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

Result<int> JobStore::PromoteDue(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<JobId, std::string>> due;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT id, queue FROM jobs WHERE state = 'pending' AND unmet_deps = 0 AND run_at_ms <= ? "
        "ORDER BY run_at_ms LIMIT 1000"));
    st->Bind(1, now_ms);
    while (true) {
      BATON_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      due.emplace_back(st->Int(0), st->Text(1));
    }
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
      "SELECT MIN(run_at_ms) FROM jobs WHERE state = 'pending' AND unmet_deps = 0"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<int64_t> v = row ? st->OptInt(0) : std::nullopt;
  st->Reset();
  return v;
}

Result<std::optional<Claim>> JobStore::ClaimNext(const std::string& runner_id, int global_limit,
                                                 int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st,
                           db_->Cached("SELECT COUNT(*) FROM jobs WHERE state = 'running'"));
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    int64_t running = row ? st->Int(0) : 0;
    st->Reset();
    if (running >= global_limit) return std::optional<Claim>();
  }
  JobId id = 0;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        // INDEXED BY: without it SQLite picks jobs_state and sorts every queued job on each
        // claim (2.2 ms at 2,000 queued, O(n^2) over a backlog); jobs_ready gives the order.
        "SELECT j.id FROM jobs j INDEXED BY jobs_ready LEFT JOIN queues q ON q.name = j.queue "
        "WHERE j.state = 'queued' AND COALESCE(q.paused, 0) = 0 AND (q.concurrency IS NULL OR "
        "(SELECT COUNT(*) FROM jobs r WHERE r.state = 'running' AND r.queue = j.queue) "
        "< q.concurrency) ORDER BY j.priority DESC, j.run_at_ms, j.id LIMIT 1"));
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return std::optional<Claim>();
    id = st->Int(0);
    st->Reset();
  }
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
        "UPDATE attempts SET ended_ms = ?, outcome = ?, exit_code = ?, signal = ?, error = ? "
        "WHERE job_id = ? AND number = ?"));
    st->Bind(1, now_ms).Bind(2, ToString(e.outcome)).Bind(3, e.exit_code).Bind(4, e.signal);
    st->Bind(5, e.error).Bind(6, e.job_id).Bind(7, e.attempt);
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
  std::vector<JobId> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Int(0));
  }
  return out;
}

Result<std::vector<Attempt>> JobStore::OrphanedAttempts(const std::string& live_runner_id) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      std::string("SELECT ") + kAttemptColumns +
      " FROM attempts WHERE ended_ms IS NULL AND runner_id != ?"));
  st->Bind(1, live_runner_id);
  std::vector<Attempt> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    BATON_ASSIGN_OR_RETURN(Attempt a, ReadAttempt(*st));
    out.push_back(std::move(a));
  }
  return out;
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
  std::vector<std::string> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Text(0));
  }
  return out;
}

Result<std::vector<Event>> JobStore::UnpublishedEvents(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, COALESCE(job_id, 0), type, queue, data FROM events WHERE published = 0 "
      "ORDER BY id LIMIT ?"));
  st->Bind(1, limit);
  std::vector<Event> out;
  while (true) {
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), st->Int(2), st->Text(3), st->Text(4), st->Text(5)});
  }
  return out;
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
