// JobStore: cron schedules (the table of migration 2). The cron arithmetic is not here: the
// caller computes next_run_ms (server/jobs/cron.h) and the store records decisions atomically.
#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "storage/job_spec.h"
#include "storage/job_store.h"
#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Stmt;
using storage::Transaction;

namespace {

constexpr const char* kScheduleColumns =
    "id, name, cron, tz, spec, catch_up, next_run_ms, last_run_ms, last_job_id, missed_runs, "
    "last_missed_ms, created_ms, session, principal";

Schedule ReadSchedule(Stmt& st) {
  Schedule s;
  s.id = st.Int(0);
  s.name = st.Text(1);
  s.cron = st.Text(2);
  s.tz = st.Text(3);
  s.spec_json = st.Text(4);
  s.catch_up = CatchUpFromString(st.Text(5)).value_or(CatchUp::kSkip);
  s.next_run_ms = st.Int(6);
  s.last_run_ms = st.OptInt(7);
  s.last_job_id = st.OptInt(8);
  s.missed_runs = st.Int(9);
  s.last_missed_ms = st.OptInt(10);
  s.created_ms = st.Int(11);
  s.origin.session = st.Text(12);
  s.origin.principal = st.Text(13);
  return s;
}

}  // namespace

Result<Schedule> JobStore::CreateSchedule(const Schedule& s, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st,
                           db_->Cached("SELECT EXISTS(SELECT 1 FROM schedules WHERE name = ?)"));
    st->Bind(1, s.name);
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    bool taken = row && st->Int(0) != 0;
    st->Reset();
    if (taken)
      return Status::AlreadyExists("a schedule named \"" + s.name +
                                   "\" exists; delete it first or pick another name");
  }
  BATON_ASSIGN_OR_RETURN(Stmt * ins, db_->Cached(
      "INSERT INTO schedules(name, cron, tz, spec, catch_up, next_run_ms, created_ms, session, "
      "principal) VALUES(?,?,?,?,?,?,?,?,?)"));
  ins->Bind(1, s.name).Bind(2, s.cron).Bind(3, s.tz).Bind(4, s.spec_json);
  ins->Bind(5, ToString(s.catch_up)).Bind(6, s.next_run_ms).Bind(7, now_ms);
  ins->Bind(8, s.origin.session).Bind(9, s.origin.principal);
  BATON_RETURN_IF_ERROR(ins->Run());
  Schedule out = s;
  out.id = db_->LastInsertId();
  out.created_ms = now_ms;
  json data = {{"schedule", s.name}, {"cron", s.cron}, {"tz", s.tz}, {"next_run_ms", s.next_run_ms}};
  BATON_RETURN_IF_ERROR(InsertEvent(0, "schedule_created", "", data.dump(), now_ms));
  BATON_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<std::vector<Schedule>> JobStore::ListSchedules() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kScheduleColumns +
                                                " FROM schedules ORDER BY name"));
  return st->ReadAll<Schedule>(ReadSchedule);
}

Result<Schedule> JobStore::GetSchedule(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kScheduleColumns +
                                                " FROM schedules WHERE name = ?"));
  st->Bind(1, name);
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::NotFound("no schedule named \"" + name + "\"");
  Schedule s = ReadSchedule(*st);
  st->Reset();
  return s;
}

Status JobStore::DeleteSchedule(const std::string& name, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("DELETE FROM schedules WHERE name = ?"));
  st->Bind(1, name);
  BATON_RETURN_IF_ERROR(st->Run());
  if (db_->Changes() == 0) return Status::NotFound("no schedule named \"" + name + "\"");
  BATON_RETURN_IF_ERROR(
      InsertEvent(0, "schedule_deleted", "", json({{"schedule", name}}).dump(), now_ms));
  return tx->Commit();
}

Result<std::vector<Schedule>> JobStore::DueSchedules(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kScheduleColumns +
                                                " FROM schedules WHERE next_run_ms <= ? "
                                                "ORDER BY next_run_ms LIMIT 100"));
  st->Bind(1, now_ms);
  return st->ReadAll<Schedule>(ReadSchedule);
}

Result<std::optional<int64_t>> JobStore::NextScheduleMs() {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT MIN(next_run_ms) FROM schedules"));
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<int64_t> v = row ? st->OptInt(0) : std::nullopt;
  st->Reset();
  return v;
}

Result<std::optional<JobId>> JobStore::FireSchedule(const ScheduleFiring& f, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  Schedule s;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kScheduleColumns +
                                                  " FROM schedules WHERE id = ?"));
    st->Bind(1, f.schedule_id);
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Status::FailedPrecondition("the schedule was deleted");
    s = ReadSchedule(*st);
    st->Reset();
  }
  if (s.next_run_ms != f.expected_next_run_ms)
    return Status::FailedPrecondition("schedule \"" + s.name + "\" fired or changed meanwhile");
  json spec = ParseJsonOrDiscarded(s.spec_json);
  std::string queue = spec.is_object() && spec.contains("queue") && spec["queue"].is_string()
                          ? spec["queue"].get<std::string>()
                          : std::string(kDefaultQueue);
  if (f.missed > 0) {
    json data = {{"schedule", s.name},     {"missed", f.missed},
                 {"first_missed_ms", f.first_missed_ms}, {"last_missed_ms", f.last_missed_ms},
                 {"catch_up", ToString(s.catch_up)}, {"ran", f.enqueue}};
    BATON_RETURN_IF_ERROR(InsertEvent(0, "missed", queue, data.dump(), now_ms));
  }
  std::optional<JobId> job_id;
  if (f.enqueue) {
    SpecContext ctx;
    ctx.now_ms = now_ms;
    ctx.verify_cwd = false;  // the directory may be gone: the attempt then fails visibly
    ctx.stored = true;
    auto parsed = ParseJobSpec(spec, ctx);
    if (!parsed.ok())
      return Status::Internal("schedule \"" + s.name + "\" has an unreadable spec: " +
                              parsed.status().message());
    EnqueueRequest req;
    req.spec = std::move(parsed).value();
    req.spec.labels["schedule"] = s.name;
    req.spec.labels["baton.origin"] = "schedule";  // the runner checks it with the policy first
    req.origin = s.origin;
    BATON_ASSIGN_OR_RETURN(EnqueueOutcome o, EnqueueLocked(req, {}, now_ms));
    job_id = o.id;
  }
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "UPDATE schedules SET next_run_ms = ?, missed_runs = missed_runs + ?, "
      "last_missed_ms = CASE WHEN ? > 0 THEN ? ELSE last_missed_ms END, "
      "last_run_ms = CASE WHEN ? THEN ? ELSE last_run_ms END, "
      "last_job_id = COALESCE(?, last_job_id) WHERE id = ?"));
  st->Bind(1, f.next_run_ms).Bind(2, f.missed).Bind(3, f.missed).Bind(4, f.last_missed_ms);
  st->Bind(5, f.enqueue ? 1 : 0).Bind(6, f.run_time_ms).Bind(7, job_id).Bind(8, s.id);
  BATON_RETURN_IF_ERROR(st->Run());
  BATON_RETURN_IF_ERROR(tx->Commit());
  return job_id;
}

}  // namespace baton
