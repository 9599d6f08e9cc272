// Regressions of issue 14 items 4 and 5 against the real Streamable HTTP server on loopback
// sockets: bodies without a length, smuggled framing headers, connections that outlive a refusal
// (desync), and slow request heads (slowloris).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_server.h"
#include "tests/transport/http_test_client.h"
#include "transport/http_request_head.h"
#include "transport/http_server.h"

namespace baton {
namespace {

using Clock = std::chrono::steady_clock;

// A connection from `source` (a loopback address) to 127.0.0.1:port; -1 on failure.
int ConnectFrom(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until it closes the connection (or `timeout_ms` passes: then
// `closed` is false).
std::string ReadUntilClosed(int fd, int timeout_ms, bool* closed) {
  std::string in;
  *closed = false;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      *closed = true;
      break;
    }
    in.append(buf, static_cast<size_t>(n));
  }
  return in;
}

int CountResponses(const std::string& bytes) {
  int n = 0;
  for (size_t at = bytes.find("HTTP/1.1 "); at != std::string::npos; at = bytes.find("HTTP/1.1 ", at + 1)) ++n;
  return n;
}

class HttpLimitsTest : public ::testing::Test {
 protected:
  void Start(int head_timeout_ms = 10000, int per_address = 32) {
    server_ = std::make_unique<McpServer>("test", "1", "");
    handler_ = std::make_unique<McpHttpHandler>(*server_);
    transport::HttpServerOptions o;
    o.port = 0;
    o.worker_threads = 8;
    o.max_sse_streams = 3;
    o.max_pending_posts = 4;
    o.max_body_bytes = 64 * 1024;
    o.head_timeout_ms = head_timeout_ms;
    o.max_connections_per_address = per_address;
    o.session_versions = SupportedProtocolVersions();
    http_ = std::make_unique<transport::StreamableHttpServer>(o, *handler_);
    ASSERT_TRUE(http_->Start().ok());
    port_ = http_->port();
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }
  // Sends `raw` on one connection from 127.0.0.1 and returns all it gets back until close.
  std::string Exchange(const std::string& raw, bool* closed) {
    int fd = ConnectFrom("127.0.0.1", port_);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(send(fd, raw.data(), raw.size(), MSG_NOSIGNAL), static_cast<ssize_t>(raw.size()));
    std::string in = ReadUntilClosed(fd, 8000, closed);
    close(fd);
    return in;
  }
  std::string Ping(int id) const {
    std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})";
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Accept: application/json, text/event-stream\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  // An initialize request that asks the server to close the connection after its answer.
  std::string InitializeAndClose() const {
    std::string body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
                       R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  std::unique_ptr<McpServer> server_;
  std::unique_ptr<McpHttpHandler> handler_;
  std::unique_ptr<transport::StreamableHttpServer> http_;
  int port_ = 0;
};

TEST_F(HttpLimitsTest, PostWithoutContentLengthIsRefusedBeforeItsBodyIsRead) {
  Start();
  bool closed = false;
  std::string reply = Exchange("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                               "application/json\r\n\r\n" + std::string(256 * 1024, '['),
                               &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 411", 0), 0u) << reply.substr(0, 200);
  EXPECT_TRUE(closed) << "the connection is closed, not read to its end";
}

TEST_F(HttpLimitsTest, WhitespaceBeforeTheColonOfAFramingHeaderIsRefused) {
  Start();
  bool closed = false;
  std::string reply = Exchange("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding : "
                               "chunked\r\nContent-Type: application/json\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                               &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply.substr(0, 200);
  EXPECT_TRUE(closed);
}

// A desync: after a refusal whose body was never read, the rest of the bytes must not be served
// as a new request.
TEST_F(HttpLimitsTest, ARefusedRequestClosesItsConnectionSoItsBodyIsNeverServed) {
  Start();
  struct Case { std::string name, head; int status; };
  const std::string smuggled = Ping(7);
  const Case kCases[] = {
      {"chunked", "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"compressed", "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: " +
                         std::to_string(smuggled.size()) + "\r\n\r\n", 415},
      {"forbidden host", "POST /mcp HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n", 403},
      {"wrong path", "POST /other HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                         std::to_string(smuggled.size()) + "\r\n\r\n", 404},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    bool closed = false;
    std::string reply = Exchange(c.head + smuggled, &closed);
    EXPECT_EQ(reply.rfind("HTTP/1.1 " + std::to_string(c.status), 0), 0u) << reply.substr(0, 200);
    EXPECT_EQ(CountResponses(reply), 1) << reply;
    EXPECT_TRUE(closed);
  }
  // A well-formed keep-alive pair is still served twice on one connection.
  bool closed = false;
  int fd = ConnectFrom("127.0.0.1", port_);
  std::string two = Ping(1) + Ping(2);
  ASSERT_EQ(send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  std::string reply = ReadUntilClosed(fd, 1500, &closed);
  close(fd);
  EXPECT_EQ(CountResponses(reply), 2) << reply;
}

// Slowloris: heads trickled a byte at a time from one address hold at most that address's share
// of the workers, each for at most the head deadline; a client from another address is served.
TEST_F(HttpLimitsTest, SlowHeadsAreCutOffAndOtherClientsAreStillServed) {
  Start(/*head_timeout_ms=*/1000, /*per_address=*/3);
  std::vector<int> slow;
  for (int i = 0; i < 60; ++i) {
    int fd = ConnectFrom("127.0.0.2", port_);
    ASSERT_GE(fd, 0) << i;
    slow.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
    for (size_t i = 0; i < 40 && !stop; ++i) {
      for (int fd : slow) send(fd, &head[i % head.size()], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int round = 0; round < 3; ++round) {
    int fd = ConnectFrom("127.0.0.1", port_);
    ASSERT_GE(fd, 0);
    std::string ping = InitializeAndClose();
    ASSERT_EQ(send(fd, ping.data(), ping.size(), MSG_NOSIGNAL), static_cast<ssize_t>(ping.size()));
    bool closed = false;
    std::string reply = ReadUntilClosed(fd, 3000, &closed);
    close(fd);
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << "round " << round << ": " << reply.substr(0, 200);
  }
  // Every slow connection was answered (503 beyond the share, 408 past the deadline) and closed.
  int refused_408 = 0, refused_503 = 0;
  for (int fd : slow) {
    bool closed = false;
    std::string reply = ReadUntilClosed(fd, 10000, &closed);
    EXPECT_TRUE(closed);
    if (reply.rfind("HTTP/1.1 408", 0) == 0) ++refused_408;
    if (reply.rfind("HTTP/1.1 503", 0) == 0) ++refused_503;
    close(fd);
  }
  stop = true;
  trickle.join();
  EXPECT_GE(refused_408, 3);
  EXPECT_GE(refused_503, 1);
  EXPECT_EQ(refused_408 + refused_503, 60);
}

TEST(HttpRequestHeadTest, FramingRules) {
  using transport::CheckRequestHead;
  struct Case { std::string head; int status; };  // 0: passed on
  const Case kCases[] = {
      {"GET /mcp HTTP/1.1\r\nHost: a\r\n\r\n", 0},
      {"POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", 0},
      {"POST /mcp HTTP/1.1\r\nHost: a\r\n\r\n", 411},
      {"POST /mcp HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 411},
      {"POST /mcp HTTP/1.1\r\ntransfer-encoding: identity\r\n\r\n", 411},
      {"POST /mcp HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nContent-Length\t: 3\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 0},
      {"POST /mcp HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 413},
      {"POST /mcp HTTP/1.1\r\nContent-Length: 3\r\nContent-Encoding: gzip\r\n\r\n", 415},
      {"POST /mcp HTTP/1.1\r\nno colon here\r\n\r\n", 400},
      {"POST /mcp HTTP/1.1\r\nBad(Name): x\r\n\r\n", 400},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.head);
    auto r = CheckRequestHead(c.head, 1000);
    EXPECT_EQ(r ? r->status : 0, c.status) << (r ? r->message : "");
  }
  EXPECT_EQ(transport::FindEndOfHead("GET / HTTP/1.1\r\nA: b\r\n\r\nbody"), 24u);
  EXPECT_EQ(transport::FindEndOfHead("GET / HTTP/1.1\r\nA: b\r\n"), std::string::npos);
}

}  // namespace
}  // namespace baton
