// storage/decision_log.h
//
// The policy decision log and the facts the policy input needs from the database. Every decision
// (allowed or not) is a row in `decisions` and an event of type `policy.decision` in the outbox
// (so it reaches NATS when configured). Opens its own connection to the job database, or shares
// a JobStore's (so that a decision and the job it allowed commit together in a group commit).
// Thread-safe: one connection, serialized by a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace baton::storage {
class Db;
struct Connection;
}

namespace baton {

struct DecisionRecord {
  std::string id;         // random
  int64_t ts_ms = 0;
  std::string principal;
  std::string session;
  std::string method;
  std::string tool;       // empty for non-tool methods
  bool allowed = false;
  std::vector<std::string> reasons;
  int64_t eval_us = 0;
  std::string input_digest;  // sha-256 of the full input, hex
  std::string input_json;    // the input with masked paths replaced
  std::string backend;       // "native" or "opa"
  std::string backend_decision_id;
};

class DecisionLog {
 public:
  static Result<std::unique_ptr<DecisionLog>> Open(const std::string& db_path);
  // Over an open connection (JobStore::connection()), whose schema is up to date.
  static std::unique_ptr<DecisionLog> Share(std::shared_ptr<storage::Connection> conn);
  ~DecisionLog();

  Status Record(const DecisionRecord& record);
  // Jobs created by `principal` since `since_ms` (the rate facts policies see), counted up to
  // `cap` (a count above it reads as `cap`). Incremental: the first call for a principal reads
  // its newest `cap` jobs of the window; later ones read only the jobs inserted since (by any
  // process: rowids only grow), and forget what aged out. A job deleted after it was counted
  // (pruned within its first minute) still counts as an enqueue until it ages out; a rollback on
  // this connection, a smaller `since_ms` (the clock went back) or another `cap` starts afresh.
  Result<int64_t> CountEnqueues(const std::string& principal, int64_t since_ms, int64_t cap);
  // Newest first.
  Result<std::vector<DecisionRecord>> Recent(int limit);

 private:
  // One principal's recent enqueues, as CountEnqueues last read them.
  struct EnqueueWindow {
    int64_t read_up_to_id = 0;       // jobs with a larger rowid have not been read
    int64_t since_ms = 0;
    int64_t cap = 0;
    uint64_t rollbacks = 0;          // the connection's count when the window was filled
    std::multiset<int64_t> created;  // created_ms of the newest jobs >= since_ms, at most cap
  };
  explicit DecisionLog(std::shared_ptr<storage::Connection> conn);
  Status FillWindow(const std::string& principal, EnqueueWindow& w);
  Status AdvanceWindow(const std::string& principal, EnqueueWindow& w);
  std::shared_ptr<storage::Connection> conn_;
  std::mutex& mu_;   // conn_->mu
  storage::Db* db_;  // conn_->db
  std::map<std::string, EnqueueWindow> windows_;  // by principal, under mu_; bounded
};

}  // namespace baton
