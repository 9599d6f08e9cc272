// server/mcp/mcp_http_handler.h
//
// McpHttpHandler binds the MCP protocol (McpSession) to the Streamable HTTP transport
// (transport/http_server.h). It decides, per POSTed message, which era serves it:
//   - 2026-07-28 (basic/transports/streamable-http.mdx): a request with modern `_meta` (or a
//     modern MCP-Protocol-Version header) is served statelessly; its headers are validated
//     against the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name -> 400 + -32020
//     HeaderMismatch), missing `_meta` fields -> 400 + -32602, an unsupported version -> 400 +
//     -32022, an unknown method -> 404 + -32601, a missing client capability -> 400 + -32021.
//   - 2025-03-26 .. 2025-11-25 (basic/transports.mdx): `initialize` creates a session (its
//     MCP-Session-Id is returned); every later message names it.
//
// Thread-safe. Shutdown() ends the stateless requests still running before it returns.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "server/mcp/mcp_session.h"
#include "transport/http_server.h"

namespace baton {

class McpHttpHandler final : public transport::StreamableHttpHandler {
 public:
  explicit McpHttpHandler(McpServer& server) : server_(server) {}
  ~McpHttpHandler() override { Shutdown(); }

  void OnPost(transport::HttpPost post, std::shared_ptr<transport::HttpExchange> exchange) override;
  void OnSessionClosed(const std::shared_ptr<transport::HttpSession>& session) override;
  // Refuses new stateless requests and gives those running `wait_ms` to finish; then cancels
  // the rest and waits for their threads, which use this handler and the server: a request
  // never outlives them. Repeatable.
  void Shutdown(int wait_ms = 10000);

 private:
  void ServeModern(transport::HttpPost& post, const std::shared_ptr<transport::HttpExchange>& ex);
  void ServeLegacy(transport::HttpPost& post, const std::shared_ptr<transport::HttpExchange>& ex);
  // A 2026-07-28 notifications/cancelled: marks the stateless request it names (same principal)
  // cancelled.
  void CancelStateless(const std::string& principal, const transport::Message& m);

  McpServer& server_;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;  // stateless requests in flight
  // Stateless requests in flight by principal + "\n" + id (for notifications/cancelled).
  std::map<std::string, std::weak_ptr<McpSession>> stateless_;
  bool shutting_down_ = false;
};

}  // namespace baton
