// MCP tasks on jobs as a session serves them (server/mcp/mcp_tasks.h): the 2026-07-28 extension
// (a call that would wait answers with a task; tasks/get reads the jobs; tasks/cancel cancels
// them), 2025-11-25 core tasks (capabilities, taskSupport, task-augmented calls, tasks/list,
// tasks/result, cancel rules), principal binding, and the calls left as they were without
// tasks. Real database, real runner, real job processes.
#include "server/mcp/mcp_tasks.h"

#include <gtest/gtest.h>

#include <condition_variable>

#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/mcp/mcp_session.h"
#include "server/jobs/runner_control.h"
#include "tests/server/recording_responder.h"
#include "tests/server/runner_fixture.h"
#include "tools/register_tools.h"

namespace baton {
namespace {

using nlohmann::json;

using Recorder = testing::RecordingResponder;

json Meta(bool with_extension) {
  json caps = json::object();
  if (with_extension) caps["extensions"][kTasksExtension] = json::object();
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", caps}};
}

class McpTasksTest : public testing::RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    StartRunner();
    control_ = std::make_unique<RunnerControl>(paths_, RunnerLaunch{"", {}, false});
    watcher_ = std::make_unique<JobWatcher>(*store_);
    ServiceOptions so;
    so.base_cwd = dir_.path();
    service_ = std::make_unique<JobService>(*store_, *control_, *watcher_,
                                            SystemClock::Instance(), so);
    server_ = std::make_unique<McpServer>("baton", "test", "");
    tools::RegisterJobTools(*server_, *service_);
    tasks_ = std::make_unique<McpTasks>(*service_, *store_, SystemClock::Instance());
    server_->SetTasks(tasks_.get());
    alice_ = std::make_unique<McpSession>(*server_, SessionInfo{"s-alice", "stdio", "alice"});
    bob_ = std::make_unique<McpSession>(*server_, SessionInfo{"s-bob", "stdio", "bob"});
  }
  void TearDown() override {
    alice_.reset();
    bob_.reset();
  }
  json Send(McpSession& s, const json& request) {
    auto r = std::make_shared<Recorder>();
    s.HandleJson(request, r);
    // Blocking calls run on a thread of their own: keep the runner going while they do.
    EXPECT_TRUE(RunUntil([&] { return r->Has(1); }, 30000)) << request.dump();
    return r->responses.empty() ? json() : r->responses.back();
  }
  json Modern(McpSession& s, const std::string& method, json params, bool ext = true) {
    params["_meta"] = Meta(ext);
    return Send(s, {{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", params}});
  }
  json Legacy(McpSession& s, const std::string& method, json params) {
    return Send(s, {{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", params}});
  }
  void Initialize(McpSession& s) {
    json r = Legacy(s, "initialize",
                    {{"protocolVersion", "2025-11-25"},
                     {"capabilities", json::object()},
                     {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    ASSERT_EQ(r["result"]["protocolVersion"], "2025-11-25");
  }
  JobId EnqueueSleep(const std::string& seconds) {
    return Enqueue({{"command", {"sh", "-c", "sleep " + seconds + "; echo slept"}}});
  }

  std::unique_ptr<RunnerControl> control_;
  std::unique_ptr<JobWatcher> watcher_;
  std::unique_ptr<JobService> service_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<McpTasks> tasks_;
  std::unique_ptr<McpSession> alice_, bob_;
  int next_id_ = 1;
};

TEST_F(McpTasksTest, ExtensionStatusWaitBecomesATaskThatCompletesWithTheStatusResult) {
  JobId job = EnqueueSleep("0.5");
  json r = Modern(*alice_, "tools/call",
                  {{"name", "status"}, {"arguments", {{"job_id", job}, {"wait_seconds", 60}}}});
  const json& t = r["result"];
  ASSERT_EQ(t["resultType"], "task") << r.dump();
  EXPECT_EQ(t["status"], "working");
  EXPECT_GE(t["pollIntervalMs"].get<int64_t>(), 1000);
  EXPECT_EQ(t["ttlMs"], 24 * 3600 * 1000);
  std::string id = t["taskId"];
  EXPECT_EQ(id.size(), 32u);  // 128 bits, hex

  ASSERT_TRUE(RunUntilState(job, JobState::kSucceeded, 20000));
  json got = Modern(*alice_, "tasks/get", {{"taskId", id}});
  ASSERT_EQ(got["result"]["status"], "completed") << got.dump();
  EXPECT_EQ(got["result"]["resultType"], "complete");
  EXPECT_EQ(got["result"]["statusMessage"], "job " + std::to_string(job) + " succeeded");
  const json& result = got["result"]["result"];
  EXPECT_EQ(result["isError"], false);
  EXPECT_EQ(result["structuredContent"]["state"], "succeeded");  // one job_id: unwrapped
  EXPECT_NE(result["structuredContent"]["stdout_tail"].get<std::string>().find("slept"),
            std::string::npos);
}

TEST_F(McpTasksTest, ATaskIsBoundToItsPrincipal) {
  json r = Modern(*alice_, "tools/call",
                  {{"name", "enqueue"},
                   {"arguments", {{"command", {"sleep", "30"}}, {"wait", true}}}});
  ASSERT_EQ(r["result"]["resultType"], "task") << r.dump();
  std::string id = r["result"]["taskId"];
  json theirs = Modern(*bob_, "tasks/get", {{"taskId", id}});
  EXPECT_EQ(theirs["error"]["code"], -32602);
  EXPECT_EQ(Modern(*bob_, "tasks/cancel", {{"taskId", id}})["error"]["code"], -32602);
  json unknown = Modern(*alice_, "tasks/get", {{"taskId", std::string(32, '0')}});
  EXPECT_EQ(unknown["error"]["code"], -32602);
  EXPECT_EQ(Modern(*alice_, "tasks/get", {{"taskId", id}})["result"]["status"], "working");
}

TEST_F(McpTasksTest, ExtensionCancelCancelsTheJob) {
  json r = Modern(*alice_, "tools/call",
                  {{"name", "enqueue"},
                   {"arguments", {{"command", {"sleep", "30"}}, {"wait", true}}}});
  ASSERT_EQ(r["result"]["resultType"], "task") << r.dump();
  std::string id = r["result"]["taskId"];
  JobId job = store_->ListTasks("alice", 0, 10, SystemClock::Instance().NowMs())->back().job_ids[0];
  ASSERT_TRUE(RunUntilState(job, JobState::kRunning, 10000));
  json c = Modern(*alice_, "tasks/cancel", {{"taskId", id}});
  EXPECT_EQ(c["result"]["resultType"], "complete") << c.dump();
  EXPECT_EQ(Modern(*alice_, "tasks/get", {{"taskId", id}})["result"]["status"], "cancelled");
  EXPECT_TRUE(RunUntilState(job, JobState::kCancelled, 20000));
  // Cancelling again is acknowledged (2026-07-28: cancellation is cooperative).
  EXPECT_TRUE(Modern(*alice_, "tasks/cancel", {{"taskId", id}}).contains("result"));
}

TEST_F(McpTasksTest, WithoutTheExtensionTheCallWaitsAsBefore) {
  JobId job = EnqueueSleep("30");
  json r = Modern(*alice_, "tools/call",
                  {{"name", "status"}, {"arguments", {{"job_id", job}, {"wait_seconds", 0.2}}}},
                  /*ext=*/false);
  EXPECT_EQ(r["result"]["resultType"], "complete") << r.dump();
  EXPECT_EQ(r["result"]["structuredContent"]["timed_out"], true);
  EXPECT_EQ(Modern(*alice_, "tasks/get", {{"taskId", "x"}}, false)["error"]["code"], -32021);
  json listen = Modern(*alice_, "subscriptions/listen",
                       {{"notifications", {{"taskIds", json::array({"x"})}}}}, false);
  EXPECT_EQ(listen["error"]["code"], -32021) << listen.dump();
  EXPECT_TRUE(listen["error"]["data"]["requiredCapabilities"]["extensions"].contains(
      kTasksExtension)) << listen.dump();
  // With the extension, a call that does not wait, or whose jobs have ended, is answered as is.
  json plain = Modern(*alice_, "tools/call", {{"name", "status"}, {"arguments", {{"job_id", job}}}});
  EXPECT_EQ(plain["result"]["resultType"], "complete");
  // Through the tool (which rings the runner), not the fixture (which writes the store only).
  JobId quick = Modern(*alice_, "tools/call",
                       {{"name", "enqueue"}, {"arguments", {{"command", json::array({"true"})}}}})
                    ["result"]["structuredContent"]["job_id"];
  ASSERT_TRUE(RunUntilState(quick, JobState::kSucceeded, 10000))
      << ToString(store_->Get(quick)->state) << " " << store_->Get(quick)->error;
  json done = Modern(*alice_, "tools/call",
                     {{"name", "status"}, {"arguments", {{"job_id", quick}, {"wait_seconds", 30}}}});
  EXPECT_EQ(done["result"]["resultType"], "complete") << done.dump();
  EXPECT_EQ(done["result"]["structuredContent"]["state"], "succeeded");
}

TEST_F(McpTasksTest, CoreTasksOn20251125) {
  Initialize(*alice_);
  json init_caps = server_->Capabilities("2025-11-25");
  EXPECT_EQ(init_caps["tasks"]["requests"]["tools"]["call"], json::object());
  json list = Legacy(*alice_, "tools/list", json::object());
  for (const json& t : list["result"]["tools"]) {
    bool task_tool = t["name"] == "enqueue" || t["name"] == "status" || t["name"] == "chain";
    EXPECT_EQ(t.contains("execution"), task_tool) << t["name"];
  }
  json bad = Legacy(*alice_, "tools/call",
                    {{"name", "cancel"}, {"arguments", {{"job_id", 1}}}, {"task", json::object()}});
  EXPECT_EQ(bad["error"]["code"], -32601);

  json r = Legacy(*alice_, "tools/call",
                  {{"name", "enqueue"},
                   {"arguments", {{"command", {"sh", "-c", "sleep 0.3; echo core"}}}},
                   {"task", {{"ttl", 10 * 24 * 3600 * 1000LL}}}});
  const json& task = r["result"]["task"];
  ASSERT_EQ(task["status"], "working") << r.dump();
  EXPECT_EQ(task["ttl"], 7 * 24 * 3600 * 1000LL);  // capped
  EXPECT_TRUE(r["result"]["_meta"].contains("io.modelcontextprotocol/model-immediate-response"));
  std::string id = task["taskId"];

  json result = Legacy(*alice_, "tasks/result", {{"taskId", id}});  // blocks until the job ends
  EXPECT_EQ(result["result"]["structuredContent"]["state"], "succeeded") << result.dump();
  EXPECT_EQ(result["result"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"], id);
  EXPECT_EQ(Legacy(*alice_, "tasks/get", {{"taskId", id}})["result"]["status"], "completed");
  EXPECT_EQ(Legacy(*alice_, "tasks/cancel", {{"taskId", id}})["error"]["code"], -32602);

  json slow = Legacy(*alice_, "tools/call",
                     {{"name", "enqueue"}, {"arguments", {{"command", {"sleep", "30"}}}},
                      {"task", json::object()}});
  std::string slow_id = slow["result"]["task"]["taskId"];
  json cancelled = Legacy(*alice_, "tasks/cancel", {{"taskId", slow_id}});
  EXPECT_EQ(cancelled["result"]["status"], "cancelled") << cancelled.dump();

  json tasks = Legacy(*alice_, "tasks/list", json::object());
  ASSERT_EQ(tasks["result"]["tasks"].size(), 2u) << tasks.dump();
  EXPECT_EQ(tasks["result"]["tasks"][0]["taskId"], id);
  EXPECT_EQ(tasks["result"]["tasks"][1]["status"], "cancelled");
  EXPECT_EQ(Legacy(*alice_, "tasks/list", {{"cursor", "zz"}})["error"]["code"], -32602);
  Initialize(*bob_);
  EXPECT_TRUE(Legacy(*bob_, "tasks/list", json::object())["result"]["tasks"].empty());
}

}  // namespace
}  // namespace baton
