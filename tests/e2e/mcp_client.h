// tests/e2e/mcp_client.h
//
// A minimal MCP client over stdio for end-to-end tests: starts `baton serve --stdio` on a test
// database, sends JSON-RPC lines and reads the answers (notifications are kept aside).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace baton::testing {

class McpClient {
 public:
  explicit McpClient(const std::string& db_path, const std::map<std::string, std::string>& env = {},
                     const std::vector<std::string>& extra_args = {});

  // Sends initialize + notifications/initialized; returns the initialize result.
  nlohmann::json Initialize(const std::string& version = "2025-11-25");
  // Sends a request and returns the whole response message (null on timeout).
  nlohmann::json Request(const std::string& method, const nlohmann::json& params,
                         int timeout_ms = 30000);
  // tools/call; returns the result object (null on timeout or JSON-RPC error).
  nlohmann::json CallTool(const std::string& name, const nlohmann::json& args,
                          int timeout_ms = 30000);
  // The structuredContent of a successful call (fails the test otherwise).
  nlohmann::json CallOk(const std::string& name, const nlohmann::json& args, int timeout_ms = 30000);
  void SendLine(const std::string& line) { proc_->WriteLine(line); }
  // The next message that is not a notification (null on timeout).
  nlohmann::json ReadResponse(int timeout_ms = 10000);

  // The first notification (already received or arriving within the timeout) for which `pred`
  // holds; it is removed from notifications(). Null on timeout. Responses read meanwhile are
  // kept for ReadResponse.
  nlohmann::json WaitNotification(const std::function<bool(const nlohmann::json&)>& pred,
                                  int timeout_ms);
  // Sends a notification line.
  void Notify(const std::string& method, const nlohmann::json& params);

  Subprocess& process() { return *proc_; }
  const std::vector<nlohmann::json>& notifications() const { return notifications_; }

 private:
  // Reads one JSON-RPC message from stdout into notifications_ or responses_; false when none
  // came before the deadline (or stdout closed).
  bool ReadOne(int64_t deadline_ms);
  std::unique_ptr<Subprocess> proc_;
  int next_id_ = 1;
  std::vector<nlohmann::json> notifications_;
  std::vector<nlohmann::json> responses_;  // read, not yet returned by ReadResponse
};

// Polls the job (through a new CLI process) until `pred` holds or the timeout passes.
nlohmann::json WaitForJob(const std::string& db_path, int64_t job_id, const std::string& state,
                          int timeout_ms);

}  // namespace baton::testing
