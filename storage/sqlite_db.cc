#include "storage/sqlite_db.h"

#include <sqlite3.h>
#include <unistd.h>

#include "storage/fault_vfs.h"

namespace baton::storage {

Status FromSqlite(sqlite3* db, int rc, std::string_view op) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::OK();
  std::string msg = std::string(op) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg + " (database is busy; retry)");
    case SQLITE_CONSTRAINT:
      return Status::AlreadyExists(msg);
    // A file that cannot be written now (chmod, a read-only remount) may be writable again later:
    // whoever holds a result to record keeps it and retries (server/runner/attempt_end_recorder.h).
    case SQLITE_READONLY:
      return Status::Unavailable(msg + " (the database cannot be written; retry)");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return Status::FailedPrecondition(msg);
    default:
      return Status::Internal(msg);
  }
}

Stmt::Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Stmt& Stmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Stmt& Stmt::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Stmt& Stmt::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(db_, rc, sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  while (true) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::OK();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::optional<int64_t> Stmt::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool synchronous_full) {
  RegisterFaultVfsFromEnvironment();  // tests only: a no-op unless BATON_FAULT_INJECT is set
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(raw, rc, "open " + path);
    sqlite3_close(raw);
    return s;
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, 10000);
  // Switching a new file to WAL needs a moment alone with it: when several processes create the
  // database at once, SQLite answers BUSY here without calling the busy handler. Retry.
  for (int i = 0;; ++i) {
    Status wal = db->Exec("PRAGMA journal_mode=WAL");
    if (wal.ok()) break;
    if (wal.code() != StatusCode::kUnavailable || i >= 500) return wal;
    usleep(10000);
  }
  BATON_RETURN_IF_ERROR(db->Exec(synchronous_full ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=NORMAL"));
  BATON_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // Checkpoints run on the runner's own thread, not inside a commit (storage/wal_checkpointer.h).
  BATON_RETURN_IF_ERROR(db->Exec("PRAGMA wal_autocheckpoint=0"));
  // A group commit's savepoints keep the pages they change in a sub-journal: in memory, not in a
  // temporary file (writing it was a fifth of the front-end's time).
  BATON_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store=MEMORY"));
  return db;
}

Db::~Db() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  return FromSqlite(db_, rc, s.substr(0, 60));
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(db_, rc, "prepare " + std::string(sql.substr(0, 60)));
  return Stmt(db_, stmt);
}

Result<Stmt*> Db::Cached(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  BATON_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  auto owned = std::make_unique<Stmt>(std::move(stmt));
  Stmt* p = owned.get();
  cache_.emplace(std::move(key), std::move(owned));
  return p;
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Db::Changes() const { return sqlite3_changes(db_); }

Status Db::RunCached(std::string_view sql) {
  BATON_ASSIGN_OR_RETURN(Stmt * st, Cached(sql));
  Status s = st->Run();
  st->Reset();
  return s;
}

Status Db::EndGroup() {
  group_ = false;
  if (!group_open_) return Status::OK();
  group_open_ = false;
  Status s = RunCached("COMMIT");
  if (!s.ok()) {
    (void)Exec("ROLLBACK");
    ++rollbacks_;
  }
  return s;
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(Db& db) {
  if (db.group_) {
    if (!db.group_open_) {
      BATON_RETURN_IF_ERROR(db.RunCached("BEGIN IMMEDIATE"));
      db.group_open_ = true;
    }
    BATON_RETURN_IF_ERROR(db.RunCached("SAVEPOINT grouped"));
    return std::unique_ptr<Transaction>(new Transaction(db, true));
  }
  BATON_RETURN_IF_ERROR(db.RunCached("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db, false));
}

Transaction::~Transaction() {
  if (done_) return;
  ++db_.rollbacks_;
  if (savepoint_) {
    // Undo this transaction's part only; the group's other transactions stay.
    (void)db_.RunCached("ROLLBACK TO grouped");
    (void)db_.RunCached("RELEASE grouped");
  } else {
    (void)db_.Exec("ROLLBACK");
  }
}

Status Transaction::Commit() {
  Status s = db_.RunCached(savepoint_ ? "RELEASE grouped" : "COMMIT");
  if (s.ok()) done_ = true;
  return s;
}

}  // namespace baton::storage
