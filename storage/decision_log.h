// storage/decision_log.h
//
// The policy decision log and the facts the policy input needs from the database. Every decision
// (allowed or not) is a row in `decisions` and an event of type `policy.decision` in the outbox
// (so it reaches NATS when configured). Opens its own connection to the job database.
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
  ~DecisionLog();

  Status Record(const DecisionRecord& record);
  // Jobs created by `principal` since `since_ms` (the rate facts policies see).
  Result<int64_t> CountEnqueues(const std::string& principal, int64_t since_ms);
  // Newest first.
  Result<std::vector<DecisionRecord>> Recent(int limit);

 private:
  explicit DecisionLog(std::unique_ptr<storage::Db> db);
  std::mutex mu_;
  std::unique_ptr<storage::Db> db_;
};

}  // namespace baton
