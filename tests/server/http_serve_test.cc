// `baton serve --http` end to end: the real binary on a free loopback port, a real database,
// a detached runner that outlives the service; tokens, refusal of non-loopback binds without
// tokens, SIGTERM; and
// the 2026-07-28 era over stdio (server/discover answered, legacy initialize still served).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "storage/job_store.h"
#include "tests/support/free_port.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/transport/http_test_client.h"

namespace baton {
namespace {

using nlohmann::json;
using testing::FreeLoopbackPort;
using testing::PostJson;
using testing::Subprocess;
using testing::TempDir;

json Init() {
  return {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
          {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object()},
                      {"clientInfo", {{"name", "e2e"}, {"version", "0"}}}}}};
}

class ServeHttpTest : public ::testing::Test {
 protected:
  std::unique_ptr<Subprocess> Serve(const std::string& addr, std::map<std::string, std::string> env = {},
                                    std::vector<std::string> extra = {}) {
    env.emplace("XDG_STATE_HOME", dir_.File("state"));
    env.emplace("HOME", dir_.path());
    std::vector<std::string> argv = {testing::BatonBinary(), "serve", "--http", addr, "--db",
                                     dir_.File("baton.db")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Subprocess>(argv, env);
  }
  // Waits until the server answers on `port`.
  bool WaitReady(int port) {
    for (int i = 0; i < 100; ++i) {
      if (testing::SendRaw(port, testing::BuildRequest("GET", port, "/health", {}, ""), 500).status)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  TempDir dir_;
};

TEST_F(ServeHttpTest, ServesMcpAndItsJobsOutliveARestartOfTheService) {
  int port = FreeLoopbackPort();
  auto p = Serve("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(WaitReady(port)) << p->Stderr();
  auto init = PostJson(port, Init());
  ASSERT_EQ(init.status, 200) << init.body;
  std::map<std::string, std::string> h = {{"Mcp-Session-Id", init.Header("mcp-session-id")},
                                          {"MCP-Protocol-Version", "2025-11-25"}};
  auto call = [&](int id, const std::string& tool, json args) {
    return PostJson(port, {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                           {"params", {{"name", tool}, {"arguments", args}}}}, h);
  };
  auto e = call(2, "enqueue", {{"command", {"/bin/echo", "over-http"}}});
  ASSERT_EQ(e.status, 200) << e.body;
  json sc = e.Json()["result"]["structuredContent"];
  ASSERT_TRUE(sc.contains("job_id")) << e.body;
  auto s = call(3, "status", {{"job_id", sc["job_id"]}, {"wait_seconds", 30}});
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("succeeded"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find("over-http"), std::string::npos) << s.body;

  // A job still running when the service stops goes on in the runner (issue 20: a restart of
  // the service must not take it down and make it retry).
  std::string marker = dir_.File("slow.done");
  auto slow = call(4, "enqueue", {{"command", {"/bin/sh", "-c", "sleep 2; echo finished > " + marker}}});
  ASSERT_EQ(slow.status, 200) << slow.body;
  JobId slow_id = slow.Json()["result"]["structuredContent"]["job_id"].get<JobId>();
  auto store = std::move(JobStore::Open(dir_.File("baton.db"))).value();
  for (int i = 0; i < 200 && store->Get(slow_id)->state != JobState::kRunning; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_EQ(store->Get(slow_id)->state, JobState::kRunning);
  p->Kill(SIGTERM);
  auto st = p->Wait(15000);
  ASSERT_TRUE(st) << "serve --http did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << p->Stderr();
  for (int i = 0; i < 400 && store->Get(slow_id)->state == JobState::kRunning; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(store->Get(slow_id)->state, JobState::kSucceeded) << "the job ran to its end";
  auto attempts = store->Attempts(slow_id);
  ASSERT_TRUE(attempts.ok());
  EXPECT_EQ(attempts->size(), 1u) << "never stopped and retried";
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST_F(ServeHttpTest, NonLoopbackBindWithoutTokensIsRefused) {
  auto p = Serve("0.0.0.0:" + std::to_string(FreeLoopbackPort()));
  auto st = p->Wait(10000);
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 2);
  EXPECT_NE(p->Stderr().find("tokens"), std::string::npos) << p->Stderr();
}

TEST_F(ServeHttpTest, TokensFromTheEnvironmentAreRequired) {
  int port = FreeLoopbackPort();
  auto p = Serve("127.0.0.1:" + std::to_string(port),
                 {{"BATON_HTTP_TOKENS", "alice=0123456789abcdef0123"}});
  ASSERT_TRUE(WaitReady(port)) << p->Stderr();
  auto denied = PostJson(port, Init());
  EXPECT_EQ(denied.status, 401);
  EXPECT_FALSE(denied.Header("www-authenticate").empty());
  EXPECT_EQ(PostJson(port, Init(), {{"Authorization", "Bearer 0123456789abcdef0123"}}).status, 200);
}

TEST_F(ServeHttpTest, TokensAreNeverAcceptedAsAFlag) {
  auto p = Serve("127.0.0.1:" + std::to_string(FreeLoopbackPort()), {}, {"--token", "abc"});
  auto st = p->Wait(10000);
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 2);
}

// Over stdio: a modern probe gets a DiscoverResult at once, a probe without _meta an immediate
// -32601 (a legacy request for an unknown method: dual-era clients fall back on it), and
// initialize still selects the legacy era.
TEST(ServeStdioErasTest, ServerDiscoverIsAnsweredAndInitializeStillWorks) {
  TempDir dir;
  Subprocess p({testing::BatonBinary(), "serve", "--stdio", "--db", dir.File("baton.db")},
               {{"XDG_STATE_HOME", dir.File("state")}, {"HOME", dir.path()}});
  json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
               {"io.modelcontextprotocol/clientCapabilities", json::object()}};
  ASSERT_TRUE(p.WriteLine(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "server/discover"},
                               {"params", {{"_meta", meta}}}}.dump()));
  auto line = p.ReadLine(10000);
  ASSERT_TRUE(line);
  json r = json::parse(*line);
  EXPECT_EQ(r["result"]["resultType"], "complete");
  EXPECT_EQ(r["result"]["supportedVersions"][0], "2026-07-28");
  ASSERT_TRUE(p.WriteLine(R"({"jsonrpc":"2.0","id":2,"method":"server/discover"})"));
  line = p.ReadLine(10000);
  ASSERT_TRUE(line);
  EXPECT_EQ(json::parse(*line)["error"]["code"], -32601);
  ASSERT_TRUE(p.WriteLine(json{{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/list"},
                               {"params", {{"_meta", meta}}}}.dump()));
  line = p.ReadLine(10000);
  ASSERT_TRUE(line);
  EXPECT_EQ(json::parse(*line)["result"]["resultType"], "complete");
  ASSERT_TRUE(p.WriteLine(Init().dump()));
  line = p.ReadLine(10000);
  ASSERT_TRUE(line);
  EXPECT_EQ(json::parse(*line)["result"]["protocolVersion"], "2025-11-25");
  p.CloseStdin();
  EXPECT_TRUE(p.Wait(10000));
}

}  // namespace
}  // namespace baton
