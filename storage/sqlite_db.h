// storage/sqlite_db.h
//
// A thin RAII layer over the SQLite C API, private to storage/: Db owns one connection, Stmt one
// prepared statement, Transaction one BEGIN IMMEDIATE ... COMMIT (or, inside a group commit, one
// SAVEPOINT of the group's transaction). SQLite result codes are translated to Status here, once,
// with the operation's name. A Db is used by one thread at a time; a Connection is a Db shared
// by several stores of one process, with the mutex that serializes its use.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace baton::storage {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&&) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Binds by 1-based position. Returns *this to chain.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& BindNull(int index);
  template <typename T>
  Stmt& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // Advances: true when a row is available, false when done; errors become a Status.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();

  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;
  std::optional<int64_t> OptInt(int col) const;

  // Clears bindings and rewinds, ready for reuse.
  void Reset();

  // Steps through every row, collecting read(*this) for each, then resets (also on an error) so
  // a cached statement holds no read lock between calls. `read` returns a T, or a Result<T>
  // whose first error ends the loop and is returned.
  template <typename T, typename ReadRow>
  Result<std::vector<T>> ReadAll(ReadRow read) {
    std::vector<T> out;
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) {
        Reset();
        return row.status();
      }
      if (!*row) break;
      if constexpr (std::is_same_v<std::invoke_result_t<ReadRow&, Stmt&>, Result<T>>) {
        Result<T> value = read(*this);
        if (!value.ok()) {
          Reset();
          return value.status();
        }
        out.push_back(std::move(value).value());
      } else {
        out.push_back(read(*this));
      }
    }
    Reset();
    return out;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  // Opens (creating if missing) the database file with WAL, busy_timeout and foreign keys.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool synchronous_full);
  ~Db();

  Status Exec(std::string_view sql);
  // A statement from the per-connection cache (prepared once, reset on return).
  Result<Stmt*> Cached(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  int64_t LastInsertId() const;
  int Changes() const;
  sqlite3* raw() { return db_; }

  // Group commit: between BeginGroup() and EndGroup(), every Transaction is a savepoint of one
  // BEGIN IMMEDIATE ... COMMIT, opened by the first of them and committed by EndGroup(), so that
  // many small transactions cost one commit (one fsync with synchronous=FULL). Nothing inside a
  // group is durable before EndGroup() returns OK; on an error the whole group is rolled back.
  void BeginGroup() { group_ = true; }
  Status EndGroup();
  bool in_group() const { return group_; }
  // How many transactions (or groups) of this connection were rolled back: rows this connection
  // read before one may be gone and their rowids reused, so what was derived from them is stale.
  uint64_t rollbacks() const { return rollbacks_; }

 private:
  friend class Transaction;
  explicit Db(sqlite3* db) : db_(db) {}
  // A cached statement run to completion (BEGIN, COMMIT, SAVEPOINT...).
  Status RunCached(std::string_view sql);
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  bool group_ = false;       // BeginGroup() called
  bool group_open_ = false;  // the group's BEGIN IMMEDIATE ran
  uint64_t rollbacks_ = 0;
};

// One Db shared by the stores of a process (JobStore, DecisionLog), so that a group commit covers
// all of them.
struct Connection {
  std::mutex mu;
  std::unique_ptr<Db> db;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so decisions made inside are
// exclusive across processes); ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Db& db);
  ~Transaction();
  Status Commit();

 private:
  Transaction(Db& db, bool savepoint) : db_(db), savepoint_(savepoint) {}
  Db& db_;
  bool savepoint_;  // a savepoint of the Db's group transaction
  bool done_ = false;
};

// Translates an SQLite result code into a Status naming `op`.
Status FromSqlite(sqlite3* db, int rc, std::string_view op);

}  // namespace baton::storage
