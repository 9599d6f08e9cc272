#include "transport/bounded_http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "base/parse_number.h"
#include "transport/http_request_head.h"
#include "transport/jsonrpc.h"

namespace baton::transport {

namespace {

thread_local bool t_close_after_response = false;

using SteadyClock = std::chrono::steady_clock;

std::string NumericAddress(const sockaddr_storage& addr, socklen_t len, int* port) {
  char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return "";
  if (port) {
    auto number = ParseInt64(serv, "port", 0, 65535);  // NI_NUMERICSERV: digits only
    *port = number.ok() ? static_cast<int>(*number) : 0;
  }
  return host;
}

std::string PeerAddress(int fd, int* port = nullptr) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  return NumericAddress(addr, len, port);
}

const char* Reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// One connection's bytes: what baton read ahead (a request head it checked) is served to httplib
// first, then the socket.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, const ConnectionLimits& limits, const std::atomic<socket_t>& listener)
      : fd_(fd), limits_(limits), listener_(listener) {}

  bool is_readable() const override { return Buffered() > 0 || Poll(POLLIN, limits_.read_timeout_ms); }
  bool is_writable() const override { return Poll(POLLOUT, limits_.write_timeout_ms); }

  ssize_t read(char* ptr, size_t size) override {
    if (Buffered() > 0) {
      size_t n = std::min(size, Buffered());
      std::copy_n(buffer_.data() + offset_, n, ptr);
      offset_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!Poll(POLLIN, limits_.read_timeout_ms)) return -1;
    return recv(fd_, ptr, size, 0);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return send(fd_, ptr, size, MSG_NOSIGNAL);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = PeerAddress(fd_, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    ip.clear();
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      ip = NumericAddress(addr, len, &port);
  }
  socket_t socket() const override { return fd_; }

  // Waits up to `timeout_ms` for the first byte of the next request; false on timeout, on the
  // server stopping, or when the client closed.
  bool AwaitRequest(int timeout_ms) {
    Compact();
    if (Buffered() > 0) return true;
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
    while (listener_ != INVALID_SOCKET) {
      int left = MillisUntil(deadline);
      if (left <= 0) return false;
      if (Poll(POLLIN, std::min(left, 100))) return Fill() > 0;
    }
    return false;
  }

  enum class HeadResult { kComplete, kTimeout, kTooLarge, kClosed };
  // Reads until the buffered bytes hold a complete request head, within one deadline.
  HeadResult BufferHead(std::string_view* head) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(limits_.head_timeout_ms);
    for (;;) {
      std::string_view pending(buffer_.data() + offset_, Buffered());
      size_t end = FindEndOfHead(pending);
      if (end != std::string_view::npos) {
        *head = pending.substr(0, end);
        return end > limits_.max_head_bytes ? HeadResult::kTooLarge : HeadResult::kComplete;
      }
      if (pending.size() > limits_.max_head_bytes) return HeadResult::kTooLarge;
      int left = MillisUntil(deadline);
      if (left <= 0) return HeadResult::kTimeout;
      if (listener_ == INVALID_SOCKET) return HeadResult::kClosed;
      if (!Poll(POLLIN, std::min(left, 100))) continue;
      if (Fill() <= 0) return HeadResult::kClosed;
    }
  }

  void WriteRefusal(int status, const std::string& message) {
    std::string body =
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + std::to_string(kInvalidRequest) +
        ",\"message\":\"";
    for (char c : message) body += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    body += "\"}}";
    std::string response = "HTTP/1.1 " + std::to_string(status) + " " +
                           Reason(status) +
                           "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < response.size()) {
      ssize_t n = write(response.data() + sent, response.size() - sent);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

 private:
  size_t Buffered() const { return buffer_.size() - offset_; }
  void Compact() {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  ssize_t Fill() {
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    return n;
  }
  bool Poll(short events, int timeout_ms) const {
    pollfd p{fd_, events, 0};
    int r;
    do r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r > 0;
  }
  static int MillisUntil(SteadyClock::time_point deadline) {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count());
  }

  const int fd_;
  const ConnectionLimits& limits_;
  const std::atomic<socket_t>& listener_;
  std::string buffer_;
  size_t offset_ = 0;
};

}  // namespace

void CloseConnectionAfterResponse() { t_close_after_response = true; }

bool BoundedHttpServer::AdmitAddress(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  int& open = open_by_address_[address];
  if (open >= limits_.max_connections_per_address) {
    if (open == 0) open_by_address_.erase(address);
    return false;
  }
  ++open;
  return true;
}

void BoundedHttpServer::ReleaseAddress(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_by_address_.find(address);
  if (it != open_by_address_.end() && --it->second <= 0) open_by_address_.erase(it);
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  ConnectionStream stream(sock, limits_, svr_sock_);
  const std::string address = PeerAddress(sock);
  if (!AdmitAddress(address)) {
    stream.WriteRefusal(503, "Service Unavailable: too many connections from " + address);
  } else {
    for (size_t served = 0; served < limits_.keep_alive_max_count; ++served) {
      if (!stream.AwaitRequest(served == 0 ? limits_.read_timeout_ms : limits_.keep_alive_timeout_ms))
        break;
      std::string_view head;
      auto got = stream.BufferHead(&head);
      if (got == ConnectionStream::HeadResult::kClosed) break;
      if (got == ConnectionStream::HeadResult::kTimeout) {
        stream.WriteRefusal(408, "Request Timeout: the request head took longer than " +
                                     std::to_string(limits_.head_timeout_ms) + " ms");
        break;
      }
      if (got == ConnectionStream::HeadResult::kTooLarge) {
        stream.WriteRefusal(431, "Request Header Fields Too Large: the limit is " +
                                     std::to_string(limits_.max_head_bytes) + " bytes");
        break;
      }
      if (auto refusal = CheckRequestHead(head, limits_.max_body_bytes)) {
        stream.WriteRefusal(refusal->status, refusal->message);
        break;
      }
      t_close_after_response = false;
      bool connection_closed = false;
      bool last = served + 1 == limits_.keep_alive_max_count;
      bool ok = process_request(stream, last, connection_closed, nullptr);
      if (!ok || connection_closed || t_close_after_response) break;
    }
    ReleaseAddress(address);
  }
  t_close_after_response = false;
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return true;
}

}  // namespace baton::transport
