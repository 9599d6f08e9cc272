// JobStore: MCP tasks (the table of migration 4). A task is a handle on jobs; its status is the
// jobs' and is computed by the caller (server/mcp/mcp_tasks.cc).
#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "storage/job_store.h"
#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Stmt;
using storage::Transaction;

namespace {

constexpr const char* kTaskColumns =
    "seq, id, principal, session, era, tool, job_ids, view, created_ms, ttl_ms, cancelled_ms";

TaskRecord ReadTask(Stmt& st) {
  TaskRecord t;
  t.seq = st.Int(0);
  t.id = st.Text(1);
  t.principal = st.Text(2);
  t.session = st.Text(3);
  t.era = st.Text(4);
  t.tool = st.Text(5);
  json ids = ParseJsonOrDiscarded(st.Text(6));
  if (ids.is_array())
    for (const json& id : ids)
      if (id.is_number_integer()) t.job_ids.push_back(id.get<JobId>());
  t.view_json = st.Text(7);
  t.created_ms = st.Int(8);
  t.ttl_ms = st.OptInt(9);
  t.cancelled_ms = st.OptInt(10);
  return t;
}

bool Expired(const TaskRecord& t, int64_t now_ms) {
  return t.ttl_ms && now_ms >= t.created_ms + *t.ttl_ms;
}

}  // namespace

Status JobStore::CreateTask(const TaskRecord& task) {
  if (task.id.empty() || task.job_ids.empty())
    return Status::InvalidArgument("a task needs an id and at least one job");
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  for (JobId id : task.job_ids) BATON_RETURN_IF_ERROR(GetLocked(id).status());
  BATON_ASSIGN_OR_RETURN(Stmt * ins, db_->Cached(
      "INSERT INTO tasks(id, principal, session, era, tool, job_ids, view, created_ms, ttl_ms, "
      "cancelled_ms) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  ins->Bind(1, task.id).Bind(2, task.principal).Bind(3, task.session).Bind(4, task.era);
  ins->Bind(5, task.tool).Bind(6, json(task.job_ids).dump()).Bind(7, task.view_json);
  ins->Bind(8, task.created_ms).Bind(9, task.ttl_ms).Bind(10, task.cancelled_ms);
  BATON_RETURN_IF_ERROR(ins->Run());
  return tx->Commit();
}

Result<TaskRecord> JobStore::GetTask(const std::string& id, const std::string& principal,
                                     int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(std::string("SELECT ") + kTaskColumns +
                                                " FROM tasks WHERE id = ? AND principal = ?"));
  st->Bind(1, id).Bind(2, principal);
  BATON_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return Status::NotFound("no task " + id);
  }
  TaskRecord t = ReadTask(*st);
  st->Reset();
  if (Expired(t, now_ms)) return Status::NotFound("task " + id + " has expired");
  return t;
}

Status JobStore::MarkTaskCancelled(const std::string& id, const std::string& principal,
                                   int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "UPDATE tasks SET cancelled_ms = coalesce(cancelled_ms, ?) WHERE id = ? AND principal = ?"));
  st->Bind(1, now_ms).Bind(2, id).Bind(3, principal);
  BATON_RETURN_IF_ERROR(st->Run());
  if (db_->Changes() == 0) return Status::NotFound("no task " + id);
  return Status::OK();
}

Result<std::vector<TaskRecord>> JobStore::ListTasks(const std::string& principal,
                                                    int64_t after_seq, int limit,
                                                    int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(
      Stmt * st,
      db_->Cached(std::string("SELECT ") + kTaskColumns +
                  " FROM tasks WHERE principal = ? AND seq > ? AND (ttl_ms IS NULL OR "
                  "created_ms + ttl_ms > ?) ORDER BY seq LIMIT ?"));
  st->Bind(1, principal).Bind(2, after_seq).Bind(3, now_ms).Bind(4, limit);
  return st->ReadAll<TaskRecord>(ReadTask);
}

Result<std::vector<TaskRecord>> JobStore::TasksOfJobs(const std::vector<JobId>& job_ids,
                                                      int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  // The table holds only unexpired tasks of the last ttl (a day by default): a scan is cheap.
  BATON_ASSIGN_OR_RETURN(
      Stmt * st,
      db_->Cached(std::string("SELECT DISTINCT ") + kTaskColumns +
                  " FROM tasks WHERE (ttl_ms IS NULL OR created_ms + ttl_ms > ?1) AND EXISTS("
                  "SELECT 1 FROM json_each(tasks.job_ids) AS j, json_each(?2) AS c "
                  "WHERE j.value = c.value) ORDER BY seq"));
  st->Bind(1, now_ms).Bind(2, json(job_ids).dump());
  return st->ReadAll<TaskRecord>(ReadTask);
}

Result<int> JobStore::PruneExpiredTasks(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "DELETE FROM tasks WHERE ttl_ms IS NOT NULL AND created_ms + ttl_ms <= ?"));
  st->Bind(1, now_ms);
  BATON_RETURN_IF_ERROR(st->Run());
  return db_->Changes();
}

}  // namespace baton
