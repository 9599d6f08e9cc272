// tests/transport/http_test_client.h
//
// A raw HTTP/1.1 client for transport tests: it sends exactly the bytes a test asks for (so
// chunked or compressed bodies and odd headers can be sent), decodes chunked responses and
// reads Server-Sent Events incrementally. One connection per request. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace baton::testing {

struct HttpReply {
  int status = 0;  // 0: no response (connection failed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked
  std::string Header(const std::string& name) const;
  nlohmann::json Json() const;  // discarded when not JSON
};

// `headers` are sent as given; Content-Length is added for a non-empty body unless present.
std::string BuildRequest(const std::string& method, int port, const std::string& path,
                         const std::map<std::string, std::string>& headers,
                         const std::string& body);
// Sends `raw` to 127.0.0.1:port and reads the whole response.
HttpReply SendRaw(int port, const std::string& raw, int timeout_ms = 10000);
// A JSON-RPC POST to /mcp with Accept: application/json, text/event-stream.
HttpReply PostJson(int port, const nlohmann::json& body,
                   std::map<std::string, std::string> headers = {});

struct SseEvent {
  std::string id;
  std::string data;
};

// An open SSE response: headers read on construction, events on demand.
class SseConnection {
 public:
  SseConnection(int port, const std::string& raw_request, int timeout_ms = 10000);
  ~SseConnection();
  SseConnection(const SseConnection&) = delete;
  SseConnection& operator=(const SseConnection&) = delete;
  int status() const { return status_; }
  const std::map<std::string, std::string>& headers() const { return headers_; }
  // The next event (comments and retry fields skipped); nullopt on timeout or end of stream.
  std::optional<SseEvent> Next(int timeout_ms);
  // The next event whose data is a JSON message (skips priming events).
  std::optional<nlohmann::json> NextMessage(int timeout_ms);
  bool ended() const { return ended_; }

 private:
  bool Fill(int timeout_ms);  // reads and de-chunks more bytes into text_
  int fd_ = -1;
  int status_ = 0;
  bool chunked_ = false;
  bool ended_ = false;
  std::map<std::string, std::string> headers_;
  std::string raw_;   // undecoded bytes
  std::string text_;  // decoded body not yet consumed
};

}  // namespace baton::testing
