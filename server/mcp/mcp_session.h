// server/mcp/mcp_session.h
//
// The MCP protocol for one client connection (stdio) or session (HTTP), transport-independent:
// the initialize handshake and version negotiation, ping, tools, resources, prompts,
// completion, logging, cancellation, server-to-client requests (sampling, elicitation) and
// JSON-RPC errors for everything else. A frame is one message or (2025-03-26 only) a batch.
//
// Both protocol eras (see server/mcp/mcp_server.h): legacy revisions 2025-03-26, 2025-06-18,
// 2025-11-25 (basic/lifecycle.mdx of each) after `initialize`; and 2026-07-28 (basic/
// versioning.mdx, server/discover.mdx): a request whose params carry
// `_meta["io.modelcontextprotocol/protocolVersion"]` is served statelessly with the version,
// client capabilities and log level of its own `_meta`, and its result carries `resultType`.
//
// Thread-safe: frames may arrive while earlier requests still run. Calls that may block (a
// status wait, or every request in async mode) run on their own thread; everything else runs
// on the caller's thread, in order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/mcp/mcp_server.h"
#include "server/mcp/tool.h"
#include "transport/jsonrpc.h"

namespace baton {

// Where a session's output goes. Respond is called once per request (or batch); Notify for
// messages tied to a request in flight (progress, logging, server-to-client requests).
// Implementations are thread-safe.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Respond(const nlohmann::json& message) = 0;
  virtual void Notify(const nlohmann::json& message) = 0;
  // The request `id` ended without a response (the client cancelled it).
  virtual void Dropped(const nlohmann::json& /*id*/) {}
  // Ends the current HTTP response stream while the request goes on (SEP-1699); no-op elsewhere.
  virtual void CloseStream() {}
  // True once the client can no longer receive anything on this responder (HTTP: the POST's
  // connection is gone). Long-lived requests (subscriptions/listen) end then.
  virtual bool Gone() const { return false; }
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
  const nlohmann::json* arguments = nullptr;        // tools/call arguments as sent, or the params
  const SessionInfo& session;
  const std::string& protocol_version;
  // tools/call of a known tool: the request its Parse returned (what the policy judges and the
  // tool then runs), or why the arguments did not parse (the call creates nothing and acts on
  // nothing; the agent gets the tool's error). Neither: an envelope the session refuses.
  const ToolRequest* request = nullptr;
  const Status* invalid = nullptr;
};

struct GuardVerdict {
  bool allow = true;
  std::vector<std::string> reasons;  // why not (shown to the client)
  std::vector<std::string> hints;    // what the client may do instead (shown with the reasons)
};

// Decides whether a request may be served. Every request passes it first; a denied tools/call
// becomes a tool error listing the reasons, any other denied method a JSON-RPC error.
// Implementations are thread-safe and fail closed.
class RequestGuard {
 public:
  virtual ~RequestGuard() = default;
  virtual GuardVerdict Check(const CallFacts& facts) = 0;
};

// The facts one request is served under.
struct RequestScope {
  bool modern = false;                      // 2026-07-28 per-request `_meta`
  std::string protocol_version;
  nlohmann::json client_capabilities = nlohmann::json::object();
  std::optional<std::string> log_level;     // notifications/message at or above; none: see below
  bool log_unset_sends = true;              // legacy: no level set yet -> send everything
};

// True when a message's params carry the modern protocol-version `_meta` key.
bool HasModernMeta(const nlohmann::json& message);
// Validates a modern request's `_meta` (2026-07-28 schema.ts RequestMetaObject): nullopt when
// it is served, else the JSON-RPC error response (-32602 missing fields, -32022 version).
std::optional<nlohmann::json> CheckModernMeta(const transport::Message& m);

class McpSession {
 public:
  McpSession(McpServer& server, SessionInfo info);
  ~McpSession();  // Shutdown()

  // Every request runs on its own thread (HTTP: the transport waits on the responder).
  void SetAsyncRequests(bool async) { async_ = async; }
  // How this session sends messages tied to no request (legacy era: stdio writes them on the
  // connection, HTTP on the session's GET stream). Set before the first frame; without it the
  // session gets no unsolicited news (resources/updated, channels). See server/mcp/mcp_news.cc.
  void SetUnsolicited(std::function<void(const nlohmann::json&)> send);

  // Handles one frame. Parse errors and invalid requests are answered through `out`.
  void HandleFrame(std::string_view frame, const std::shared_ptr<Responder>& out);
  // Handles one parsed message (or batch array).
  void HandleJson(const nlohmann::json& value, const std::shared_ptr<Responder>& out);
  // Cancels every request in flight (and waits for server-to-client requests) and joins.
  void Shutdown();

  const SessionInfo& info() const { return info_; }
  std::string protocol_version();
  bool initialized();

 private:
  void HandleParsed(transport::ParsedLine parsed, const std::shared_ptr<Responder>& out);
  // Returns the response, or null for notifications / cancelled requests.
  nlohmann::json Dispatch(const transport::Message& m, const std::shared_ptr<Responder>& out);
  void HandleNotification(const transport::Message& m);
  // Tells the server's RequestObserver how request `m` was answered (`response`; null: none).
  void Observe(const transport::Message& m, const nlohmann::json& response);
  nlohmann::json Serve(const transport::Message& m, const RequestScope& scope,
                       const std::shared_ptr<Responder>& out);
  // An error for a legacy request that arrives before initialize was answered; nullopt: serve it.
  std::optional<nlohmann::json> RefuseBeforeInitialize(const transport::Message& m);
  // Asks the guard about the request as sent (any method but a tools/call the session parsed).
  std::optional<nlohmann::json> Guard(const transport::Message& m, const RequestScope& scope);
  // The denial of `facts`, or nullopt when the request may be served.
  std::optional<nlohmann::json> Judge(const transport::Message& m, const CallFacts& facts);
  nlohmann::json Initialize(const transport::Message& m);
  nlohmann::json Discover(const transport::Message& m);
  nlohmann::json CallTool(const transport::Message& m, const RequestScope& scope,
                          const std::shared_ptr<Responder>& out,
                          const std::shared_ptr<std::atomic<bool>>& cancelled);
  // A tool's result as the tools/call response (not a deferred one).
  static nlohmann::json ToolResponse(const nlohmann::json& id, const ToolResult& r,
                                     const RequestScope& scope);
  nlohmann::json ReadResource(const transport::Message& m);
  nlohmann::json GetPrompt(const transport::Message& m);
  nlohmann::json Complete(const transport::Message& m);
  nlohmann::json SetLogLevel(const transport::Message& m);
  // server/mcp/mcp_news.cc: subscriptions/listen (2026-07-28) and the legacy session's listener.
  nlohmann::json Listen(const transport::Message& m, const RequestScope& scope,
                        const std::shared_ptr<Responder>& out,
                        const std::shared_ptr<std::atomic<bool>>& cancelled);
  void RegisterLegacyListener(const std::string& version, const nlohmann::json& caps);
  nlohmann::json SubscribeResource(const transport::Message& m);
  void NoteJob(int64_t job_id, bool ended);
  RequestScope LegacyScope();
  RequestScope ModernScope(const transport::Message& m);
  Result<nlohmann::json> RequestClient(const std::string& method, const nlohmann::json& params,
                                       const RequestScope& scope,
                                       const std::shared_ptr<Responder>& out,
                                       const std::atomic<bool>* cancelled);
  bool IsBlockingCall(const transport::Message& m);
  std::shared_ptr<std::atomic<bool>> Track(const nlohmann::json& id);
  void Untrack(const nlohmann::json& id);
  void ReapThreads();

  McpServer& server_;
  SessionInfo info_;
  bool async_ = false;
  std::mutex mu_;
  std::string protocol_version_ = kLatestProtocolVersion;
  bool initialize_answered_ = false;  // legacy era: requests wait for the handshake
  bool initialized_ = false;
  bool shutting_down_ = false;
  nlohmann::json client_capabilities_ = nlohmann::json::object();
  std::optional<std::string> log_level_;
  std::set<std::string> subscriptions_;
  std::function<void(const nlohmann::json&)> unsolicited_;
  std::unique_ptr<Listener> legacy_listener_;  // after initialize, when unsolicited_ is set
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;  // by id.dump()
  // Server-to-client requests awaiting the client's response, by id.dump().
  struct Pending {
    bool done = false;
    nlohmann::json response;
  };
  std::map<std::string, std::shared_ptr<Pending>> pending_;
  std::condition_variable pending_cv_;
  int64_t next_request_id_ = 1;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
};

}  // namespace baton
