// transport/http_server.h
//
// StreamableHttpServer serves MCP's Streamable HTTP transport on one endpoint (default `/mcp`)
// over cpp-httplib 0.11.4, hardened for it: chunked and compressed request bodies are refused
// before they are read (the library's size limit does not hold for them), bodies are size
// limited, exceptions never leak their text, sockets have read/write timeouts, and the worker
// pool is sized so that long-lived SSE streams (each holds a worker) cannot starve POSTs: at
// most `max_sse_streams` GET streams and `max_pending_posts` POSTs in flight (answering or
// streaming), both below `worker_threads`, 503 with Retry-After beyond.
//
// What is HTTP stays here: Origin/Host/bearer checks (403, 401), Accept negotiation (406),
// Content-Type (415), JSON parsing (400), session lookup (`MCP-Session-Id`, 404 for unknown or
// deleted sessions), `MCP-Protocol-Version` validation for session requests (400), GET streams
// with `Last-Event-ID` replay, DELETE. What a message means is decided by the handler (server/).
// Revisions: 2025-03-26, 2025-06-18, 2025-11-25 basic/transports.mdx and 2026-07-28
// basic/transports/streamable-http.mdx (sessionless POSTs).
//
// Start()/Stop() from one thread; the handler is called on worker threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "transport/http_auth.h"
#include "transport/http_exchange.h"
#include "transport/http_session.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace baton::transport {

// A page answered on GET beside the MCP endpoint (/metrics), after the same Host, Origin and
// bearer checks. Called on a worker thread; must not block long.
struct HttpPage {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};
using HttpPageFn = std::function<HttpPage()>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 7878;  // 0: any free port (see port())
  std::string path = "/mcp";  // empty: no MCP endpoint (only `pages`)
  std::map<std::string, HttpPageFn> pages;  // by exact path
  size_t max_body_bytes = 4 << 20;
  int read_timeout_s = 30;
  int head_timeout_ms = 10000;          // a whole request head must arrive within this (408)
  // Open connections from one client address (503 beyond); 0: max_sse_streams +
  // max_pending_posts, what one client can use at once, so others keep the remaining workers.
  int max_connections_per_address = 0;
  int write_timeout_s = 30;
  int worker_threads = 64;
  int max_sse_streams = 16;      // GET streams at once (503 beyond)
  int max_pending_posts = 44;    // POSTs waiting or streaming at once (503 beyond). The two
                                 // caps together stay below worker_threads: workers stay free
  size_t max_sessions = 1000;
  size_t max_sessions_per_principal = 100;  // one principal's share; its oldest goes first
  int session_idle_timeout_s = 3600;
  size_t replay_events = 256;    // per SSE stream
  int sse_keepalive_ms = 5000;   // comment lines on idle streams (detect gone clients)
  int sse_retry_ms = 1000;       // the `retry` field of resumable streams
  // MCP-Protocol-Version values accepted on requests that name a session.
  std::vector<std::string> session_versions;
  AccessOptions access;
};

// One POSTed body (a JSON-RPC message or a batch), as the handler sees it.
struct HttpPost {
  nlohmann::json message;
  bool has_request = false;                  // at least one request (method + id)
  std::shared_ptr<HttpSession> session;      // named by MCP-Session-Id; null when none
  std::string principal;                     // from the bearer token (or the local principal)
  std::map<std::string, std::string> headers;  // lower-case names
  HttpSessionTable* sessions = nullptr;      // to create a session (initialize)
  std::string Header(const std::string& lower_name) const;
};

class StreamableHttpHandler {
 public:
  virtual ~StreamableHttpHandler() = default;
  // Answers through `exchange`, possibly later and from another thread. Must not block long:
  // the calling worker waits for the exchange's first message. For a body without requests,
  // an exchange left pending becomes 202 Accepted.
  virtual void OnPost(HttpPost post, std::shared_ptr<HttpExchange> exchange) = 0;
  // The session ended (DELETE, expiry or shutdown).
  virtual void OnSessionClosed(const std::shared_ptr<HttpSession>& session) = 0;
};

class StreamableHttpServer {
 public:
  StreamableHttpServer(HttpServerOptions options, StreamableHttpHandler& handler);
  ~StreamableHttpServer();  // Stop()

  // Validates the options, binds and starts serving on a thread of its own.
  Status Start();
  // Stops accepting, ends open streams and closes every session. Idempotent.
  void Stop();
  int port() const { return port_; }
  HttpSessionTable& sessions() { return sessions_; }

 private:
  class Impl;

  // The routes of `path` (Start() installs them), each answering through `res`.
  // Before routing, on the head alone: a wrong path (404) and the access checks (403, 401).
  // True when it refused the request.
  bool RefuseBeforeRouting(const httplib::Request& req, httplib::Response& res);
  void HandlePost(const httplib::Request& req, httplib::Response& res);   // a JSON-RPC body
  void HandleGet(const httplib::Request& req, httplib::Response& res);    // a session's SSE stream
  void HandleDelete(const httplib::Request& req, httplib::Response& res);  // ends a session
  static void HandleUnsupportedMethod(const httplib::Request& req, httplib::Response& res);
  static void ServePage(const HttpPageFn& page, httplib::Response& res);

  std::string PrincipalOf(const httplib::Request& req) const;
  // The session a request names: nullptr with `res` filled (and `refused` set) when it must be
  // refused, nullptr alone when it names none.
  std::shared_ptr<HttpSession> FindSession(const httplib::Request& req, httplib::Response& res,
                                           bool& refused);
  // Streams `stream` from after event `after` as the response body (text/event-stream).
  void ServeStream(httplib::Response& res, const std::shared_ptr<SseStream>& stream,
                   uint64_t after, bool resumable, const std::shared_ptr<HttpExchange>& exchange);

  HttpServerOptions options_;
  StreamableHttpHandler& handler_;
  HttpSessionTable sessions_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace baton::transport
