// transport/bounded_http_server.h
//
// cpp-httplib's server with baton's own connection loop in front of its request parser.
// httplib 0.11 restarts its read timeout with every byte (a client trickling a header at 1 byte/s
// holds a worker for ever), reads a body without Content-Length to the end of the connection, and
// keeps a connection open after answering a request whose body it never read (the rest is parsed
// as the next request: a desync behind a reusing proxy). Here, per connection:
//  - at most `max_connections_per_address` connections from one client address (503 beyond);
//  - one deadline for a whole request head, from its first byte to its blank line (408), and a
//    bound on its size (431);
//  - the head passes CheckRequestHead (transport/http_request_head.h) before httplib sees it;
//    a refusal is answered with Connection: close and the connection is closed;
//  - a handler that calls CloseConnectionAfterResponse() gets its connection closed after the
//    response (the pre-routing refusals, whose bodies are never read);
//  - idle keep-alive waits notice stop() within 100 ms.
// Thread-safe as httplib::Server is: connections are served on its task queue.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace baton::transport {

struct ConnectionLimits {
  int head_timeout_ms = 10000;           // first byte of a request -> its blank line
  size_t max_head_bytes = 64 * 1024;     // request line + header fields
  int max_connections_per_address = 32;  // open connections from one client address
  size_t max_body_bytes = 4 << 20;
  int read_timeout_ms = 30000;           // one read of a body, or a first byte on a new connection
  int write_timeout_ms = 30000;
  int keep_alive_timeout_ms = 5000;      // idle time between requests on one connection
  size_t keep_alive_max_count = 100;     // requests on one connection
};

// Called from a handler: the connection serving the current request is closed after its
// response is written.
void CloseConnectionAfterResponse();

class BoundedHttpServer : public httplib::Server {
 public:
  void set_connection_limits(const ConnectionLimits& limits) { limits_ = limits; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool AdmitAddress(const std::string& address);
  void ReleaseAddress(const std::string& address);

  ConnectionLimits limits_;
  std::mutex mu_;
  std::map<std::string, int> open_by_address_;
};

}  // namespace baton::transport
