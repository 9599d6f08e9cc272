#include "storage/decision_log.h"

#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "storage/migrations.h"
#include "storage/sqlite_db.h"

namespace baton {

using nlohmann::json;
using storage::Db;
using storage::Stmt;

DecisionLog::DecisionLog(std::shared_ptr<storage::Connection> conn)
    : conn_(std::move(conn)), mu_(conn_->mu), db_(conn_->db.get()) {}
DecisionLog::~DecisionLog() = default;

Result<std::unique_ptr<DecisionLog>> DecisionLog::Open(const std::string& db_path) {
  BATON_ASSIGN_OR_RETURN(auto db, Db::Open(db_path, false));
  BATON_RETURN_IF_ERROR(storage::Migrate(*db));
  auto conn = std::make_shared<storage::Connection>();
  conn->db = std::move(db);
  return std::unique_ptr<DecisionLog>(new DecisionLog(std::move(conn)));
}

std::unique_ptr<DecisionLog> DecisionLog::Share(std::shared_ptr<storage::Connection> conn) {
  return std::unique_ptr<DecisionLog>(new DecisionLog(std::move(conn)));
}

Status DecisionLog::Record(const DecisionRecord& r) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(*db_));
  json reasons = r.reasons;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "INSERT INTO decisions(id, ts_ms, principal, session, method, tool, allowed, reasons, "
        "eval_us, input_digest, input, backend, backend_decision_id) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st->Bind(1, r.id).Bind(2, r.ts_ms).Bind(3, r.principal).Bind(4, r.session).Bind(5, r.method);
    st->Bind(6, r.tool).Bind(7, r.allowed ? 1 : 0).Bind(8, reasons.dump()).Bind(9, r.eval_us);
    st->Bind(10, r.input_digest).Bind(11, r.input_json).Bind(12, r.backend);
    st->Bind(13, r.backend_decision_id);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  {
    json data = {{"decision_id", r.id}, {"principal", r.principal}, {"method", r.method},
                 {"allowed", r.allowed}, {"reasons", reasons}, {"eval_us", r.eval_us},
                 {"input_digest", r.input_digest}, {"backend", r.backend}};
    if (!r.tool.empty()) data["tool"] = r.tool;
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "INSERT INTO events(ts_ms, job_id, type, queue, data) VALUES(?, NULL, 'policy.decision', '', ?)"));
    st->Bind(1, r.ts_ms).Bind(2, data.dump());
    BATON_RETURN_IF_ERROR(st->Run());
  }
  return tx->Commit();
}

namespace {
// Principals whose windows are kept (HTTP tokens may be many); beyond, all start afresh.
constexpr size_t kMaxEnqueueWindows = 1024;

// Keeps the newest `cap` times that are >= since_ms: the capped count of those >= since_ms stays
// exact as since_ms grows, since the oldest age out first.
void Trim(std::multiset<int64_t>& created, int64_t since_ms, int64_t cap) {
  created.erase(created.begin(), created.lower_bound(since_ms));
  while (static_cast<int64_t>(created.size()) > cap) created.erase(created.begin());
}
}  // namespace

Status DecisionLog::FillWindow(const std::string& principal, EnqueueWindow& w) {
  // The rowid bound first: a job inserted between the two reads is left to AdvanceWindow.
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT COALESCE(MAX(id), 0) FROM jobs"));
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    w.read_up_to_id = row ? st->Int(0) : 0;
    st->Reset();
  }
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT created_ms FROM jobs INDEXED BY jobs_principal "
      "WHERE principal = ? AND created_ms >= ? AND id <= ? ORDER BY created_ms DESC LIMIT ?"));
  st->Bind(1, principal).Bind(2, w.since_ms).Bind(3, w.read_up_to_id).Bind(4, w.cap);
  BATON_ASSIGN_OR_RETURN(auto created, st->ReadAll<int64_t>([](Stmt& r) { return r.Int(0); }));
  w.created = std::multiset<int64_t>(created.begin(), created.end());
  return Status::OK();
}

Status DecisionLog::AdvanceWindow(const std::string& principal, EnqueueWindow& w) {
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, created_ms, principal = ? FROM jobs WHERE id > ? ORDER BY id"));
  st->Bind(1, principal).Bind(2, w.read_up_to_id);
  while (true) {
    Result<bool> row = st->Step();
    if (!row.ok()) {
      st->Reset();
      return row.status();
    }
    if (!*row) break;
    w.read_up_to_id = st->Int(0);
    if (st->Int(2) != 0) w.created.insert(st->Int(1));
  }
  st->Reset();
  return Status::OK();
}

Result<int64_t> DecisionLog::CountEnqueues(const std::string& principal, int64_t since_ms,
                                           int64_t cap) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(principal);
  bool fresh = it == windows_.end() || it->second.cap != cap || since_ms < it->second.since_ms ||
               it->second.rollbacks != db_->rollbacks();
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxEnqueueWindows) windows_.clear();
    it = windows_.emplace(principal, EnqueueWindow{}).first;
  }
  EnqueueWindow& w = it->second;
  w.since_ms = since_ms;
  Status s = Status::OK();
  if (fresh) {
    w.cap = cap;
    w.rollbacks = db_->rollbacks();
    s = FillWindow(principal, w);
  }
  if (s.ok()) s = AdvanceWindow(principal, w);
  if (!s.ok()) {
    windows_.erase(it);  // half read: the next call starts afresh
    return s;
  }
  Trim(w.created, since_ms, cap);
  return static_cast<int64_t>(w.created.size());
}

Result<std::vector<DecisionRecord>> DecisionLog::Recent(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, principal, session, method, tool, allowed, reasons, eval_us, "
      "input_digest, input, backend, backend_decision_id FROM decisions "
      "ORDER BY ts_ms DESC, rowid DESC LIMIT ?"));
  st->Bind(1, limit);
  return st->ReadAll<DecisionRecord>([](Stmt& row) {
    DecisionRecord r;
    r.id = row.Text(0);
    r.ts_ms = row.Int(1);
    r.principal = row.Text(2);
    r.session = row.Text(3);
    r.method = row.Text(4);
    r.tool = row.Text(5);
    r.allowed = row.Int(6) != 0;
    json reasons = ParseJsonOrDiscarded(row.Text(7));
    if (reasons.is_array())
      for (const auto& x : reasons) r.reasons.push_back(x.is_string() ? x.get<std::string>() : x.dump());
    r.eval_us = row.Int(8);
    r.input_digest = row.Text(9);
    r.input_json = row.Text(10);
    r.backend = row.Text(11);
    r.backend_decision_id = row.Text(12);
    return r;
  });
}

}  // namespace baton
