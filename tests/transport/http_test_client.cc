#include "tests/transport/http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace baton::testing {

namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads what is available within timeout_ms; false on EOF/error/timeout with nothing read.
bool ReadSome(int fd, std::string& into, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char buf[16384];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  into.append(buf, static_cast<size_t>(n));
  return true;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// Parses the status line and headers out of `raw` once complete; returns the header length.
size_t ParseHead(const std::string& raw, int& status, std::map<std::string, std::string>& headers) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::istringstream in(raw.substr(0, end));
  std::string line;
  std::getline(in, line);
  if (line.size() > 12) status = std::atoi(line.substr(9, 3).c_str());
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(' '));
    headers[Lower(line.substr(0, colon))] = v;
  }
  return end + 4;
}

// De-chunks complete chunks from `raw` into `out`; true once the last chunk was seen.
bool Dechunk(std::string& raw, std::string& out) {
  while (true) {
    size_t eol = raw.find("\r\n");
    if (eol == std::string::npos) return false;
    size_t len = std::stoul(raw.substr(0, eol), nullptr, 16);
    if (len == 0) return true;
    if (raw.size() < eol + 2 + len + 2) return false;
    out += raw.substr(eol + 2, len);
    raw.erase(0, eol + 2 + len + 2);
  }
}

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

nlohmann::json HttpReply::Json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string BuildRequest(const std::string& method, int port, const std::string& path,
                         const std::map<std::string, std::string>& headers,
                         const std::string& body) {
  std::string r = method + " " + path + " HTTP/1.1\r\n";
  bool has_host = false, has_len = false, has_te = false;
  for (const auto& [k, v] : headers) {
    std::string lk = Lower(k);
    has_host |= lk == "host";
    has_len |= lk == "content-length";
    has_te |= lk == "transfer-encoding";
    r += k + ": " + v + "\r\n";
  }
  if (!has_host) r += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (!body.empty() && !has_len && !has_te) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "Connection: close\r\n\r\n" + body;
  return r;
}

HttpReply SendRaw(int port, const std::string& raw, int timeout_ms) {
  HttpReply reply;
  int fd = Connect(port);
  if (fd < 0) return reply;
  WriteAll(fd, raw);
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t head = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (!ReadSome(fd, in, std::max(left, 1))) break;
    if (!head) head = ParseHead(in, reply.status, reply.headers);
    if (head && reply.headers.count("content-length") &&
        in.size() >= head + std::stoul(reply.headers["content-length"]))
      break;
  }
  close(fd);
  if (!head) head = ParseHead(in, reply.status, reply.headers);
  if (!head) return HttpReply{};
  std::string rest = in.substr(head);
  if (Lower(reply.Header("transfer-encoding")) == "chunked") Dechunk(rest, reply.body);
  else reply.body = rest;
  return reply;
}

HttpReply PostJson(int port, const nlohmann::json& body, std::map<std::string, std::string> headers) {
  headers.emplace("Content-Type", "application/json");
  headers.emplace("Accept", "application/json, text/event-stream");
  return SendRaw(port, BuildRequest("POST", port, "/mcp", headers, body.dump()));
}

SseConnection::SseConnection(int port, const std::string& raw_request, int timeout_ms) {
  fd_ = Connect(port);
  if (fd_ < 0 || !WriteAll(fd_, raw_request)) return;
  size_t head = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!head && std::chrono::steady_clock::now() < deadline) {
    if (!ReadSome(fd_, raw_, 200)) continue;
    head = ParseHead(raw_, status_, headers_);
  }
  if (!head) return;
  raw_.erase(0, head);
  chunked_ = Lower(headers_["transfer-encoding"]) == "chunked";
}

SseConnection::~SseConnection() {
  if (fd_ >= 0) close(fd_);
}

bool SseConnection::Fill(int timeout_ms) {
  if (ended_ || fd_ < 0) return false;
  bool got = ReadSome(fd_, raw_, timeout_ms);
  if (chunked_) {
    if (Dechunk(raw_, text_)) ended_ = true;
  } else {
    text_ += raw_;
    raw_.clear();
  }
  if (!got) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) > 0) {
      char c;
      if (recv(fd_, &c, 1, MSG_PEEK) == 0) ended_ = true;
    }
  }
  return got;
}

std::optional<SseEvent> SseConnection::Next(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    size_t end;
    while ((end = text_.find("\n\n")) != std::string::npos) {
      std::string block = text_.substr(0, end);
      text_.erase(0, end + 2);
      SseEvent e;
      bool has_data = false;
      std::istringstream in(block);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("id:", 0) == 0) e.id = line.substr(line.size() > 3 && line[3] == ' ' ? 4 : 3);
        if (line.rfind("data:", 0) == 0) {
          if (has_data) e.data += "\n";
          e.data += line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
          has_data = true;
        }
      }
      if (has_data) return e;
    }
    if (ended_ || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    Fill(100);
  }
}

std::optional<nlohmann::json> SseConnection::NextMessage(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    auto e = Next(std::max(left, 1));
    if (!e) return std::nullopt;
    if (e->data.empty()) continue;  // priming event
    auto j = nlohmann::json::parse(e->data, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return std::nullopt;
}

}  // namespace baton::testing
