// /metrics end to end: a real `baton serve --http` on a free loopback port over a real SQLite
// file runs real jobs (succeeded, failed, dead-lettered, cancelled, timed out), /metrics is
// scraped over HTTP, linted with `promtool check metrics`, and its values checked; `baton web`
// over the same database reports the same counters, and they survive a restart (a SIGKILL
// included: the running job is then counted as lost).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

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

// The value of the sample named exactly `series` (name and labels as rendered), if present.
std::optional<double> Sample(const std::string& body, const std::string& series) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}

// The sample lines of the families that count (counters and histograms), in order.
std::string CounterLines(const std::string& body) {
  std::istringstream in(body);
  std::string line, out;
  for (const char* prefix : {"baton_jobs_finished_total", "baton_job_duration_seconds",
                             "baton_queue_wait_seconds", "baton_policy_decisions_total",
                             "baton_mcp_requests_total"}) {
    in.clear();
    in.seekg(0);
    while (std::getline(in, line))
      if (line.rfind(prefix, 0) == 0) out += line + "\n";
  }
  return out;
}

class MetricsHttpTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() {
    return {{"XDG_STATE_HOME", dir_.File("state")}, {"HOME", dir_.path()}};
  }
  std::unique_ptr<Subprocess> Start(std::vector<std::string> argv,
                                    std::map<std::string, std::string> env = {}) {
    for (auto& [k, v] : Env()) env.emplace(k, v);
    argv.insert(argv.begin(), testing::BatonBinary());
    return std::make_unique<Subprocess>(argv, env);
  }
  std::unique_ptr<Subprocess> Serve(int port) {
    return Start({"serve", "--http", "127.0.0.1:" + std::to_string(port), "--db", Db()});
  }
  std::string Db() { return dir_.File("baton.db"); }
  // The pid of the `baton runner` process serving Db(), or -1.
  pid_t RunnerPid() {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::ifstream in(entry.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(" runner ") != std::string::npos &&
          cmdline.find(" --db " + Db() + " ") != std::string::npos)
        return static_cast<pid_t>(std::stol(entry.path().filename().string()));
    }
    return -1;
  }

  testing::HttpReply Get(int port, const std::string& path,
                         std::map<std::string, std::string> headers = {}) {
    return testing::SendRaw(port, testing::BuildRequest("GET", port, path, headers, ""));
  }
  bool WaitReady(int port) {
    for (int i = 0; i < 100; ++i) {
      if (Get(port, "/metrics").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // `promtool check metrics` on `body`: {exit status, what it printed}.
  std::pair<int, std::string> Promtool(const std::string& body) {
    std::string file = dir_.File("scrape.txt");
    std::ofstream(file) << body;
    return testing::RunCommand({"/bin/sh", "-c", "promtool check metrics < '" + file + "' 2>&1"});
  }

  void Initialize(int port) {
    json init = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                 {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object()},
                             {"clientInfo", {{"name", "metrics-test"}, {"version", "0"}}}}}};
    auto r = PostJson(port, init);
    ASSERT_EQ(r.status, 200) << r.body;
    session_ = {{"Mcp-Session-Id", r.Header("mcp-session-id")},
                {"MCP-Protocol-Version", "2025-11-25"}};
  }
  json Call(int port, const std::string& tool, const json& args) {
    json req = {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", "tools/call"},
                {"params", {{"name", tool}, {"arguments", args}}}};
    auto r = PostJson(port, req, session_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["result"];
  }
  int64_t Enqueue(int port, const json& spec) {
    json r = Call(port, "enqueue", spec);
    EXPECT_TRUE(r["structuredContent"].contains("job_id")) << r.dump();
    return r["structuredContent"].value("job_id", int64_t{0});
  }
  std::string WaitState(int port, int64_t id) {
    json r = Call(port, "status", {{"job_id", id}, {"wait_seconds", 60}});
    return r["structuredContent"].value("state", "");  // one job_id: the job's view itself
  }
  std::string StateNow(int port, int64_t id) {
    return Call(port, "status", {{"job_id", id}})["structuredContent"].value("state", "");
  }
  void Stop(Subprocess& p) {
    p.Kill(SIGTERM);
    auto st = p.Wait(20000);
    ASSERT_TRUE(st) << "did not stop on SIGTERM";
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << p.Stderr();
  }

  TempDir dir_;
  std::map<std::string, std::string> session_;
  int id_ = 1;
};

TEST_F(MetricsHttpTest, ScrapeIsLintCleanAndCountsEveryOutcome) {
  int port = FreeLoopbackPort();
  auto serve = Serve(port);
  ASSERT_TRUE(WaitReady(port)) << serve->Stderr();
  Initialize(port);

  int64_t ok = Enqueue(port, {{"command", {"/bin/true"}}});
  int64_t failed = Enqueue(port, {{"command", {"/bin/false"}}});
  int64_t dead = Enqueue(port, {{"command", {"/bin/false"}},
                                {"retry", {{"max_attempts", 2}, {"initial_delay", 0},
                                           {"jitter", "none"}}}});
  int64_t timed_out = Enqueue(port, {{"command", {"/bin/sleep", "30"}}, {"timeout_seconds", 1}});
  int64_t cancelled = Enqueue(port, {{"command", {"/bin/sleep", "30"}}});
  for (int i = 0; i < 200 && StateNow(port, cancelled) != "running"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(StateNow(port, cancelled), "running");
  Call(port, "cancel", {{"job_id", cancelled}});
  EXPECT_EQ(WaitState(port, ok), "succeeded");
  EXPECT_EQ(WaitState(port, failed), "failed");
  EXPECT_EQ(WaitState(port, dead), "dead");
  EXPECT_EQ(WaitState(port, timed_out), "failed");
  EXPECT_EQ(WaitState(port, cancelled), "cancelled");
  // A paused queue holds its job queued.
  Call(port, "queue", {{"action", "pause"}, {"queue", "held"}});
  Enqueue(port, {{"command", {"/bin/true"}}, {"queue", "held"}});

  auto scrape = Get(port, "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.Header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  auto [rc, lint] = Promtool(scrape.body);
  EXPECT_EQ(rc, 0) << lint << "\n" << scrape.body;
  EXPECT_EQ(lint, "") << scrape.body;  // no lint problem at all
  const std::string& b = scrape.body;
  for (const char* outcome : {"succeeded", "failed", "dead", "cancelled", "timed_out"})
    EXPECT_EQ(Sample(b, std::string("baton_jobs_finished_total{queue=\"default\",outcome=\"") +
                            outcome + "\"}"),
              1)
        << outcome << "\n" << b;
  EXPECT_EQ(Sample(b, "baton_jobs_finished_total{queue=\"default\",outcome=\"lost\"}"), 0);
  // Attempts: one each, and two for the dead-lettered job.
  EXPECT_EQ(Sample(b, "baton_job_duration_seconds_count{queue=\"default\"}"), 6) << b;
  EXPECT_EQ(Sample(b, "baton_job_duration_seconds_bucket{queue=\"default\",le=\"+Inf\"}"), 6);
  EXPECT_EQ(Sample(b, "baton_queue_wait_seconds_count{queue=\"default\"}"), 6) << b;
  // The timed-out attempt ran at least its 1 s timeout, so at most 5 attempts end within 0.5 s.
  EXPECT_LE(*Sample(b, "baton_job_duration_seconds_bucket{queue=\"default\",le=\"0.5\"}"), 5);
  EXPECT_GE(*Sample(b, "baton_job_duration_seconds_sum{queue=\"default\"}"), 1.0);
  EXPECT_EQ(Sample(b, "baton_jobs{queue=\"held\",state=\"queued\"}"), 1) << b;
  EXPECT_EQ(Sample(b, "baton_jobs{queue=\"default\",state=\"queued\"}"), 0);
  EXPECT_EQ(Sample(b, "baton_jobs{queue=\"default\",state=\"succeeded\"}"), 1);
  EXPECT_EQ(Sample(b, "baton_queue_paused{queue=\"held\"}"), 1);
  EXPECT_EQ(Sample(b, "baton_queue_paused{queue=\"default\"}"), 0);
  EXPECT_EQ(Sample(b, "baton_queue_oldest_pending_seconds{queue=\"default\"}"), 0);
  EXPECT_GE(*Sample(b, "baton_queue_oldest_pending_seconds{queue=\"held\"}"), 0);
  EXPECT_GT(*Sample(b, "baton_events_outbox_pending"), 0);  // no --nats: nothing drains them
  EXPECT_GE(*Sample(b, "baton_policy_decisions_total{decision=\"allow\"}"), 10);
  EXPECT_EQ(Sample(b, "baton_policy_decisions_total{decision=\"deny\"}"), 0);
  EXPECT_EQ(Sample(b, "baton_mcp_requests_total{transport=\"http\",method=\"initialize\","
                      "outcome=\"ok\"}"),
            1)
      << b;
  EXPECT_GE(*Sample(b, "baton_mcp_requests_total{transport=\"http\",method=\"tools/call\","
                       "outcome=\"ok\"}"),
            10);
  EXPECT_EQ(Sample(b, std::string("baton_build_info{version=\"") + BATON_TEST_VERSION + "\"}"), 1);
  // No per-job label anywhere.
  EXPECT_EQ(b.find("job_id"), std::string::npos);
  EXPECT_EQ(b.find("job="), std::string::npos);
  Stop(*serve);
}

TEST_F(MetricsHttpTest, CountersAgreeBetweenServeAndWebAndSurviveARestart) {
  int port = FreeLoopbackPort();
  auto serve = Serve(port);
  ASSERT_TRUE(WaitReady(port)) << serve->Stderr();
  Initialize(port);
  EXPECT_EQ(WaitState(port, Enqueue(port, {{"command", {"/bin/true"}}})), "succeeded");
  EXPECT_EQ(WaitState(port, Enqueue(port, {{"command", {"/bin/false"}}})), "failed");
  // A method nobody serves counts as "unknown", never under the name the client sent.
  PostJson(port, {{"jsonrpc", "2.0"}, {"id", 99}, {"method", "made/up"}}, session_);

  // A stdio session over the same database counts its requests too.
  {
    auto stdio = Start({"serve", "--stdio", "--db", Db()});
    ASSERT_TRUE(stdio->WriteLine(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"));
    ASSERT_TRUE(stdio->ReadLine(10000));
    stdio->CloseStdin();
    ASSERT_TRUE(stdio->Wait(15000));
  }

  auto from_serve = Get(port, "/metrics");
  ASSERT_EQ(from_serve.status, 200);
  int web_port = FreeLoopbackPort();
  auto web = Start({"web", "--listen", "127.0.0.1:" + std::to_string(web_port), "--db", Db()});
  ASSERT_TRUE(WaitReady(web_port)) << web->Stderr();
  auto from_web = Get(web_port, "/metrics");
  ASSERT_EQ(from_web.status, 200);
  EXPECT_EQ(Promtool(from_web.body).first, 0) << from_web.body;
  EXPECT_EQ(CounterLines(from_serve.body), CounterLines(from_web.body));
  const std::string& b = from_web.body;
  EXPECT_EQ(Sample(b, "baton_jobs_finished_total{queue=\"default\",outcome=\"succeeded\"}"), 1);
  EXPECT_EQ(Sample(b, "baton_mcp_requests_total{transport=\"http\",method=\"unknown\","
                      "outcome=\"error\"}"),
            1)
      << b;
  EXPECT_EQ(b.find("made/up"), std::string::npos);
  EXPECT_EQ(Sample(b, "baton_mcp_requests_total{transport=\"stdio\",method=\"ping\","
                      "outcome=\"ok\"}"),
            1)
      << b;
  // baton web serves no MCP, and says that the page is not there yet.
  EXPECT_EQ(PostJson(web_port, {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}).status, 404);
  auto index = Get(web_port, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("/metrics"), std::string::npos);

  Stop(*serve);
  int port2 = FreeLoopbackPort();
  serve = Serve(port2);
  ASSERT_TRUE(WaitReady(port2)) << serve->Stderr();
  auto after = Get(port2, "/metrics");
  EXPECT_EQ(CounterLines(after.body), CounterLines(from_serve.body));
  EXPECT_EQ(CounterLines(Get(web_port, "/metrics").body), CounterLines(from_serve.body));

  // The runner (the service's detached one) killed with SIGKILL while a job runs, and the
  // service with it: the next runner recovers the attempt as lost, and what was counted before
  // the kill is still there.
  Initialize(port2);
  int64_t lost = Enqueue(port2, {{"command", {"/bin/sleep", "30"}}});
  for (int i = 0; i < 200 && StateNow(port2, lost) != "running"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(StateNow(port2, lost), "running");
  pid_t runner = RunnerPid();
  ASSERT_GT(runner, 0) << "no runner process serves " << Db();
  serve->Kill(SIGKILL);
  ASSERT_TRUE(serve->Wait(10000));
  kill(runner, SIGKILL);
  for (int i = 0; i < 200 && testing::ProcessAlive(runner); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  int port3 = FreeLoopbackPort();
  serve = Serve(port3);
  ASSERT_TRUE(WaitReady(port3)) << serve->Stderr();
  Initialize(port3);
  EXPECT_EQ(WaitState(port3, lost), "failed");
  auto recovered = Get(web_port, "/metrics").body;
  EXPECT_EQ(Sample(recovered, "baton_jobs_finished_total{queue=\"default\",outcome=\"lost\"}"), 1)
      << recovered;
  EXPECT_EQ(
      Sample(recovered, "baton_jobs_finished_total{queue=\"default\",outcome=\"succeeded\"}"), 1);
  EXPECT_EQ(Sample(recovered, "baton_job_duration_seconds_count{queue=\"default\"}"), 3);
  Stop(*serve);
  Stop(*web);
}

TEST_F(MetricsHttpTest, BearerTokensGuardMetricsAsTheyGuardMcp) {
  // A mistyped --db is an error, not the zeros of a database made up there.
  auto missing = Start({"web", "--listen", "127.0.0.1:" + std::to_string(FreeLoopbackPort()),
                        "--db", dir_.File("typo.db")});
  auto missing_st = missing->Wait(10000);
  ASSERT_TRUE(missing_st);
  EXPECT_EQ(WEXITSTATUS(*missing_st), 2);
  EXPECT_NE(missing->Stderr().find("no job database at"), std::string::npos) << missing->Stderr();
  ASSERT_EQ(testing::RunCommand({testing::BatonBinary(), "jobs", "--db", Db()}, Env()).first, 0);

  int port = FreeLoopbackPort();
  std::map<std::string, std::string> env = {{"BATON_HTTP_TOKENS", "prom=0123456789abcdef0123"}};
  auto web = Start({"web", "--listen", "127.0.0.1:" + std::to_string(port), "--db", Db()}, env);
  testing::HttpReply r;
  for (int i = 0; i < 100 && r.status == 0; ++i) {
    r = Get(port, "/metrics");
    if (r.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(r.status, 401) << web->Stderr();
  EXPECT_EQ(Get(port, "/metrics", {{"Authorization", "Bearer wrong"}}).status, 401);
  auto ok = Get(port, "/metrics", {{"Authorization", "Bearer 0123456789abcdef0123"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("# TYPE baton_jobs gauge"), std::string::npos);
  // A page from another origin (DNS rebinding) is refused.
  EXPECT_EQ(Get(port, "/metrics", {{"Authorization", "Bearer 0123456789abcdef0123"},
                                   {"Origin", "https://evil.example"}})
                .status,
            403);
  Stop(*web);
  // A non-loopback bind without tokens is refused at start.
  auto open = Start({"web", "--listen", "0.0.0.0:" + std::to_string(FreeLoopbackPort()), "--db",
                     Db()});
  auto st = open->Wait(10000);
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 2);
  EXPECT_NE(open->Stderr().find("tokens"), std::string::npos);
}

}  // namespace
}  // namespace baton
