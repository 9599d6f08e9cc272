// `baton serve --http`: job news on the 2026-07-28 path. subscriptions/listen is acknowledged
// at once on the POST's SSE stream, delivers notifications/resources/updated for a subscribed
// job as it starts and ends, and ends with the graceful result when the server shuts down.
// Real binary, real sockets, real runner in-process.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/free_port.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/transport/http_test_client.h"

namespace baton {
namespace {

using nlohmann::json;
using testing::BuildRequest;
using testing::FreeLoopbackPort;
using testing::PostJson;
using testing::SseConnection;
using testing::Subprocess;
using testing::TempDir;

json Meta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", json::object()},
          {"io.modelcontextprotocol/clientInfo", {{"name", "e2e"}, {"version", "1"}}}};
}

std::map<std::string, std::string> ModernHeaders(const std::string& method,
                                                 const std::string& name = "") {
  std::map<std::string, std::string> h = {{"MCP-Protocol-Version", "2026-07-28"},
                                          {"Mcp-Method", method}};
  if (!name.empty()) h["Mcp-Name"] = name;
  return h;
}

class NewsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreeLoopbackPort();
    std::vector<std::string> argv = {testing::BatonBinary(), "serve", "--http",
                                     "127.0.0.1:" + std::to_string(port_), "--db",
                                     dir_.File("baton.db"), "--log-level", "warn"};
    server_ = std::make_unique<Subprocess>(
        argv, std::map<std::string, std::string>{{"XDG_STATE_HOME", dir_.File("state")},
                                                 {"HOME", dir_.path()}});
    for (int i = 0; i < 100; ++i) {
      if (testing::SendRaw(port_, BuildRequest("GET", port_, "/health", {}, ""), 500).status) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "server did not come up: " << server_->Stderr();
  }
  json Call(int id, const std::string& tool, const json& args) {
    json body = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                 {"params", {{"_meta", Meta()}, {"name", tool}, {"arguments", args}}}};
    auto r = PostJson(port_, body, ModernHeaders("tools/call", tool));
    EXPECT_EQ(r.status, 200) << r.body;
    json m = r.Json();
    if (m.is_discarded()) {  // an SSE answer: the last data line is the response
      size_t at = r.body.rfind("data: ");
      m = json::parse(r.body.substr(at + 6, r.body.find('\n', at) - at - 6), nullptr, false);
    }
    return m;
  }
  std::unique_ptr<SseConnection> Listen(const json& id, const json& filter) {
    json body = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "subscriptions/listen"},
                 {"params", {{"_meta", Meta()}, {"notifications", filter}}}};
    auto headers = ModernHeaders("subscriptions/listen");
    headers["Content-Type"] = "application/json";
    headers["Accept"] = "application/json, text/event-stream";
    return std::make_unique<SseConnection>(
        port_, BuildRequest("POST", port_, "/mcp", headers, body.dump()));
  }
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> server_;
};

TEST_F(NewsHttpTest, ListenIsAcknowledgedFirstAndDeliversJobUpdatesUntilShutdown) {
  // A job that starts a little later, so that the subscription is in place before it runs.
  json e = Call(1, "enqueue", {{"command", {"/bin/sleep", "1"}}, {"delay_seconds", 1}});
  int64_t id = e["result"]["structuredContent"]["job_id"];
  std::string uri = "baton://jobs/" + std::to_string(id);

  auto sse = Listen("L1", {{"resourceSubscriptions", {uri}}, {"promptsListChanged", true}});
  ASSERT_EQ(sse->status(), 200) << server_->Stderr();
  EXPECT_NE(sse->headers().at("content-type").find("text/event-stream"), std::string::npos);
  auto ack = sse->NextMessage(10000);
  ASSERT_TRUE(ack.has_value()) << server_->Stderr();
  EXPECT_EQ((*ack)["method"], "notifications/subscriptions/acknowledged");
  EXPECT_EQ((*ack)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L1");
  EXPECT_EQ((*ack)["params"]["notifications"], json({{"resourceSubscriptions", {uri}}}));

  // Started, then ended: each change of the job is news for the subscriber.
  int updates = 0;
  while (updates < 2) {
    auto n = sse->NextMessage(20000);
    ASSERT_TRUE(n.has_value()) << "after " << updates << " update(s); " << server_->Stderr();
    EXPECT_EQ((*n)["method"], "notifications/resources/updated");
    EXPECT_EQ((*n)["params"]["uri"], uri);
    EXPECT_EQ((*n)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L1");
    ++updates;
  }
  // What the client reads then is the job's final state.
  json read = {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "resources/read"},
               {"params", {{"_meta", Meta()}, {"uri", uri}}}};
  auto r = PostJson(port_, read, ModernHeaders("resources/read", uri));
  ASSERT_EQ(r.status, 200) << r.body;
  json view = json::parse(r.Json()["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(view["state"], "succeeded");

  // The server shuts down: the stream ends with the listen request's (empty) result.
  server_->Kill(SIGTERM);
  std::optional<json> last;
  while (auto m = sse->NextMessage(10000)) last = m;
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ((*last)["id"], "L1");
  EXPECT_TRUE((*last).contains("result")) << last->dump();
  EXPECT_EQ((*last)["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L1");
  ASSERT_TRUE(server_->Wait(15000).has_value()) << "the listen stream held the shutdown";
}

// A stateless request still waiting at shutdown (a long status wait) is cancelled, not left
// running on a thread that uses the handler and the server after they are gone.
TEST_F(NewsHttpTest, AStatusWaitStillRunningIsCancelledAtShutdown) {
  json e = Call(1, "enqueue", {{"command", {"/bin/sleep", "60"}}});
  int64_t id = e["result"]["structuredContent"]["job_id"];
  json meta = Meta();
  meta["progressToken"] = "w";
  json body = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"},
               {"params", {{"_meta", meta}, {"name", "status"},
                           {"arguments", {{"job_id", id}, {"wait_seconds", 100}}}}}};
  auto headers = ModernHeaders("tools/call", "status");
  headers["Content-Type"] = "application/json";
  headers["Accept"] = "application/json, text/event-stream";
  // The first progress notification (after the 5 s default interval) proves the wait is on.
  SseConnection wait(port_, BuildRequest("POST", port_, "/mcp", headers, body.dump()), 30000);
  ASSERT_EQ(wait.status(), 200) << server_->Stderr();
  auto progress = wait.NextMessage(30000);
  ASSERT_TRUE(progress.has_value()) << server_->Stderr();
  EXPECT_EQ((*progress)["method"], "notifications/progress");
  server_->Kill(SIGTERM);
  auto st = server_->Wait(30000);
  ASSERT_TRUE(st.has_value()) << "the status wait held the shutdown";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("cancelling 1 request(s) still running"), std::string::npos)
      << server_->Stderr();
}

TEST_F(NewsHttpTest, AClosedListenStreamIsForgotten) {
  {
    auto sse = Listen(7, json::object());
    ASSERT_TRUE(sse->NextMessage(10000).has_value());
  }  // the client goes away
  // The server keeps serving, and still shuts down promptly (no listen left hanging).
  json e = Call(2, "jobs", json::object());
  EXPECT_TRUE(e.contains("result")) << e.dump();
  server_->Kill(SIGTERM);
  EXPECT_TRUE(server_->Wait(15000).has_value());
}

}  // namespace
}  // namespace baton
