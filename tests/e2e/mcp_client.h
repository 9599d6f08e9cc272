// tests/e2e/mcp_client.h
//
// A minimal MCP client over stdio for end-to-end tests: starts `baton serve --stdio` on a test
// database, sends JSON-RPC lines and reads the answers (notifications are kept aside).
#pragma once

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

  Subprocess& process() { return *proc_; }
  const std::vector<nlohmann::json>& notifications() const { return notifications_; }

 private:
  std::unique_ptr<Subprocess> proc_;
  int next_id_ = 1;
  std::vector<nlohmann::json> notifications_;
};

// Polls the job (through a new CLI process) until `pred` holds or the timeout passes.
nlohmann::json WaitForJob(const std::string& db_path, int64_t job_id, const std::string& state,
                          int timeout_ms);

}  // namespace baton::testing
