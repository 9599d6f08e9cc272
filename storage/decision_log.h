// storage/decision_log.h
//
// The policy decision log and the facts the policy input needs from the database. Every decision
// (allowed or not) is a row in `decisions` and an event of type `policy.decision` in the outbox
// (so it reaches NATS when configured). Opens its own connection to the job database, or shares
// a JobStore's (so that a decision and the job it allowed commit together in a group commit).
// Thread-safe: one connection, serialized by a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
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
  // `cap` (a count above it reads as `cap`): the count walks an index range, and an unbounded one
  // made every call cost O(recent enqueues).
  Result<int64_t> CountEnqueues(const std::string& principal, int64_t since_ms, int64_t cap);
  // Newest first.
  Result<std::vector<DecisionRecord>> Recent(int limit);

 private:
  explicit DecisionLog(std::shared_ptr<storage::Connection> conn);
  std::shared_ptr<storage::Connection> conn_;
  std::mutex& mu_;   // conn_->mu
  storage::Db* db_;  // conn_->db
};

}  // namespace baton
