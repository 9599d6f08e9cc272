// server/mcp_session.h
//
// The MCP protocol for one client connection, transport-independent: the initialize handshake
// and version negotiation, ping, tools/list, tools/call, cancellation of in-flight requests, and
// JSON-RPC errors for everything else. A frame is one message or (2025-03-26 only) a batch.
// Revisions implemented: 2025-03-26, 2025-06-18, 2025-11-25 (modelcontextprotocol/specification,
// basic/lifecycle.mdx, server/tools.mdx of each revision).
//
// Thread-safe: frames may arrive while earlier requests still run. Calls that may block (a
// status wait) run on their own thread; everything else runs on the caller's thread, in order.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/tool.h"
#include "transport/jsonrpc.h"

namespace baton {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
// Oldest first.
const std::vector<std::string>& SupportedProtocolVersions();

// Where a session's output goes. Respond is called once per request (or batch); Notify for
// messages tied to a request in flight (progress). Implementations are thread-safe.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Respond(const nlohmann::json& message) = 0;
  virtual void Notify(const nlohmann::json& message) = 0;
};

struct SessionInfo {
  std::string id;         // MCP session id (random)
  std::string transport;  // "stdio" or "http"
  std::string principal;  // who is calling
};

// What a request guard (the policy check) is asked about, before the request is served.
struct CallFacts {
  const std::string& method;
  const std::string* tool = nullptr;                // tools/call only
  const nlohmann::json* arguments = nullptr;        // tools/call arguments, or the params
  const SessionInfo& session;
  const std::string& protocol_version;
};

struct GuardVerdict {
  bool allow = true;
  std::vector<std::string> reasons;  // why not (shown to the client)
};

// Decides whether a request may be served. Every request passes it first; a denied tools/call
// becomes a tool error listing the reasons, any other denied method a JSON-RPC error.
// Implementations are thread-safe and fail closed.
class RequestGuard {
 public:
  virtual ~RequestGuard() = default;
  virtual GuardVerdict Check(const CallFacts& facts) = 0;
};

inline constexpr int kPolicyDeniedError = -32001;

// The tools and identity shared by every session of a server. Tools are added before serving.
class McpServer {
 public:
  // Every request is checked by `guard` (not owned; may be null: allow all).
  void SetGuard(RequestGuard* guard) { guard_ = guard; }
  RequestGuard* guard() const { return guard_; }
  McpServer(std::string name, std::string version, std::string instructions);
  void AddTool(std::unique_ptr<Tool> tool);
  Tool* FindTool(const std::string& name) const;
  // tools/list for a protocol version (fields that revision does not know are left out).
  nlohmann::json ListTools(const std::string& protocol_version) const;
  nlohmann::json ServerInfo() const;
  const std::string& instructions() const { return instructions_; }

 private:
  std::string name_, version_, instructions_;
  std::vector<std::unique_ptr<Tool>> tools_;
  RequestGuard* guard_ = nullptr;
};

class McpSession {
 public:
  McpSession(McpServer& server, SessionInfo info);
  ~McpSession();  // Shutdown()

  // Handles one frame. Parse errors and invalid requests are answered through `out`.
  void HandleFrame(std::string_view frame, const std::shared_ptr<Responder>& out);
  // Handles one parsed message (or batch array).
  void HandleJson(const nlohmann::json& value, const std::shared_ptr<Responder>& out);
  // Cancels every request in flight and waits for their threads.
  void Shutdown();

  const SessionInfo& info() const { return info_; }
  std::string protocol_version();

 private:
  void HandleParsed(transport::ParsedLine parsed, const std::shared_ptr<Responder>& out);
  // Returns the response, or null for notifications / cancelled requests.
  nlohmann::json Dispatch(const transport::Message& m, const std::shared_ptr<Responder>& out);
  nlohmann::json Initialize(const transport::Message& m);
  nlohmann::json CallTool(const transport::Message& m, const std::shared_ptr<Responder>& out,
                          const std::shared_ptr<std::atomic<bool>>& cancelled);
  bool IsBlockingCall(const transport::Message& m);
  std::shared_ptr<std::atomic<bool>> Track(const nlohmann::json& id);
  void Untrack(const nlohmann::json& id);
  void ReapThreads();

  McpServer& server_;
  SessionInfo info_;
  std::mutex mu_;
  std::string protocol_version_ = kLatestProtocolVersion;
  bool initialized_ = false;
  bool shutting_down_ = false;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;  // by id.dump()
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
};

}  // namespace baton
