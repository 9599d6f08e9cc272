// transport/http_exchange.h
//
// HttpExchange is the answer to one POSTed JSON-RPC message on the Streamable HTTP transport.
// The protocol layer produces messages from any thread; the HTTP worker that received the POST
// waits for the first one and chooses the response form (2025-11-25 basic/transports.mdx,
// "Sending Messages to the Server"):
//   - Reject(status, body)        -> a plain HTTP error (400, 404, ...), JSON body;
//   - Accept()                    -> 202 Accepted (notifications and responses);
//   - Finish(message) first       -> one application/json response;
//   - Send(message) first         -> a text/event-stream response carrying the intermediate
//                                    messages (progress, logging, server-to-client requests) and
//                                    then the final response, after which the stream ends.
// A client that accepts only SSE always gets SSE; one that accepts only JSON never does
// (intermediate messages are then dropped).
//
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "transport/http_session.h"
#include "transport/sse_stream.h"

namespace baton::transport {

class HttpExchange {
 public:
  enum class Form { kPending, kRejected, kAccepted, kJson, kSse };

  HttpExchange(bool accepts_json, bool accepts_sse)
      : accepts_json_(accepts_json), accepts_sse_(accepts_sse) {}

  void Send(const nlohmann::json& message);
  void Finish(const nlohmann::json& message, int http_status = 200);
  void Reject(int http_status, const nlohmann::json& body);
  void Accept();
  // The request ended without a response (it was cancelled): 204 when nothing was sent yet,
  // else the stream ends.
  void Abandon();
  // The MCP-Session-Id to return (a session the request created or names).
  void BindSession(std::shared_ptr<HttpSession> session);
  // Streams of this exchange may be resumed: a priming event and a `retry` field are sent.
  void SetResumable(bool resumable) { resumable_ = resumable; }
  // Ends the current HTTP response stream while the request goes on; the client resumes with
  // GET + Last-Event-ID (2025-11-25 SEP-1699 polling). No-op for JSON responses.
  void CloseConnection();
  // True once the HTTP client went away (the protocol layer may cancel the work).
  bool client_gone() const;

  // --- used by the HTTP worker ---
  // Waits until the form is known. The SSE stream (when kSse) is created by `make_stream`.
  Form WaitForm(const std::function<std::shared_ptr<SseStream>()>& make_stream);
  int status() const { return status_; }
  const nlohmann::json& body() const { return body_; }
  std::shared_ptr<HttpSession> session() const;
  std::shared_ptr<SseStream> stream() const;
  bool resumable() const { return resumable_; }
  // True once after CloseConnection(): the consumer delivers what is buffered and ends.
  bool TakeCloseRequest();
  void MarkClientGone();

 private:
  const bool accepts_json_;
  const bool accepts_sse_;
  std::atomic<bool> resumable_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Form form_ = Form::kPending;
  int status_ = 200;
  nlohmann::json body_;
  std::vector<std::string> early_;  // messages sent before the stream existed
  bool finished_ = false;
  bool close_requested_ = false;
  bool client_gone_ = false;
  std::shared_ptr<HttpSession> session_;
  std::shared_ptr<SseStream> stream_;
};

}  // namespace baton::transport
