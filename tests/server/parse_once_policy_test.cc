// A tool call's arguments are parsed once, by the tool: the policy judges the request the tool
// then runs. Regressions: the owner's `cancel {"job_id": "7"}` was denied "target job not found"
// under cancel_owner_or_admin (the guard read only integer ids) while the tool accepted it; and a
// template was expanded twice per call (once for the policy, once for the job).
#include <gtest/gtest.h>

#include <fstream>

#include "server/guard/policy_guard.h"
#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/runner_control.h"
#include "server/jobs/state_paths.h"
#include "server/mcp/mcp_session.h"
#include "storage/job_spec.h"
#include "tests/server/recording_responder.h"
#include "tests/support/temp_dir.h"
#include "tools/enqueue_tool.h"
#include "tools/register_tools.h"

namespace baton {
namespace {

using nlohmann::json;

class ParseOncePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto paths = ResolveStatePaths(dir_.File("b.db"));
    ASSERT_TRUE(paths.ok()) << paths.status().ToString();
    store_ = std::move(JobStore::Open(paths->db).value());
    log_ = DecisionLog::Share(store_->connection());
    control_ = std::make_unique<RunnerControl>(*paths, RunnerLaunch{"", {}, false});
    watcher_ = std::make_unique<JobWatcher>(*store_);
  }
  // The front-end's wiring: job tools on a server whose guard runs `policy`.
  void Serve(const std::string& policy, const TemplateCatalog* templates = nullptr) {
    std::filesystem::create_directories(dir_.File("policy"));
    std::filesystem::copy(testing::SourceDir() + "/examples/policies/" + policy,
                          dir_.File("policy"), std::filesystem::copy_options::recursive);
    ServiceOptions so;
    so.base_cwd = dir_.path();
    so.templates = templates;
    service_ = std::make_unique<JobService>(*store_, *control_, *watcher_,
                                            SystemClock::Instance(), so);
    PolicyOptions po;
    po.policy_dir = dir_.File("policy");
    po.mask_paths = {};
    auto g = PolicyGuard::Create(*store_, *log_, SystemClock::Instance(), po);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    guard_ = std::move(g).value();
    service_->SetJobChecker(guard_.get());
    server_ = std::make_unique<McpServer>("baton", "1.0", "");
    tools::RegisterJobTools(*server_, *service_);
    server_->SetGuard(guard_.get());
  }
  // One tools/call in a fresh HTTP session of `principal` (kind "token": not an admin).
  json CallAs(const std::string& principal, const std::string& tool, const json& args) {
    McpSession session(*server_, {"s-" + principal, "http", principal});
    auto out = std::make_shared<testing::RecordingResponder>();
    session.HandleJson(json::parse(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"),
                       out);
    session.HandleJson({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
                        {"params", {{"name", tool}, {"arguments", args}}}},
                       out);
    json r = out->WaitResponse(2);
    return r.contains("result") ? r["result"] : r;
  }
  static std::string Text(const json& result) {
    return result.contains("content") ? result["content"][0]["text"].get<std::string>()
                                      : result.dump();
  }
  JobId EnqueueOwnedBy(const std::string& principal) {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = dir_.path();
    r.spec.run_at_ms = SystemClock::Instance().NowMs() + 3600 * 1000;  // stays pending
    r.origin = {"s-" + principal, principal};
    auto out = store_->Enqueue(r, SystemClock::Instance().NowMs());
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->id : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<DecisionLog> log_;
  std::unique_ptr<RunnerControl> control_;
  std::unique_ptr<JobWatcher> watcher_;
  std::unique_ptr<JobService> service_;
  std::unique_ptr<PolicyGuard> guard_;
  std::unique_ptr<McpServer> server_;
};

TEST_F(ParseOncePolicyTest, QuotedCancelIdIsJudgedOnTheJob) {
  Serve("cancel_owner_or_admin");
  const JobId quoted = EnqueueOwnedBy("bob"), numeric = EnqueueOwnedBy("bob");
  const json kAsked[] = {{{"job_id", std::to_string(quoted)}}, {{"job_id", numeric}}};
  for (const json& args : kAsked) {
    SCOPED_TRACE(args.dump());
    json denied = CallAs("mallory", "cancel", args);
    EXPECT_EQ(denied["isError"], true);
    EXPECT_NE(Text(denied).find("Denied by policy"), std::string::npos) << Text(denied);
    EXPECT_EQ(Text(denied).find("target job not found"), std::string::npos) << Text(denied);
  }
  EXPECT_FALSE(IsTerminal(store_->Get(quoted)->state)) << "a denied cancel changed nothing";
  for (const json& args : kAsked) {
    SCOPED_TRACE(args.dump());
    json allowed = CallAs("bob", "cancel", args);
    EXPECT_EQ(allowed["isError"], false) << Text(allowed);
    EXPECT_EQ(allowed["structuredContent"]["state"], "cancelled") << Text(allowed);
  }
  EXPECT_EQ(store_->Get(quoted)->state, JobState::kCancelled);
  EXPECT_EQ(store_->Get(numeric)->state, JobState::kCancelled);
}

TEST_F(ParseOncePolicyTest, TheJudgedTemplateExpansionIsTheStoredSpec) {
  auto catalog = TemplateCatalog::FromJson(json::parse(R"({
    "build": {"command": ["make", "{{params.target}}"], "params": {"target": {"type": "string"}}}})"));
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  Serve("command_allowlist", &*catalog);
  json r = CallAs("bob", "enqueue", {{"template", "build"}, {"params", {{"target", "all"}}},
                                     {"delay_seconds", 3600}});
  ASSERT_EQ(r["isError"], false) << Text(r);
  auto job = store_->Get(r["structuredContent"]["job_id"].get<JobId>());
  ASSERT_TRUE(job.ok());
  auto recent = log_->Recent(10);
  ASSERT_TRUE(recent.ok());
  json judged;
  for (const DecisionRecord& d : *recent)
    if (d.tool == "enqueue" && judged.is_null()) judged = json::parse(d.input_json);
  ASSERT_FALSE(judged.is_null());
  EXPECT_EQ(judged["origin"], "template");
  EXPECT_EQ(judged["template"], json({{"name", "build"}, {"params", {{"target", "all"}}}}));
  // The spec judged is the one stored, field for field; only the start time is as requested.
  json stored = JobSpecToJson(job->spec);
  stored.erase("run_at");
  json args = judged["arguments"];
  EXPECT_EQ(args["delay_seconds"], 3600);
  args.erase("delay_seconds");
  EXPECT_EQ(args, stored);
}

// The request a tool parsed carries the expansion: running it never expands again, so a catalog
// that changes in between (a config reload) cannot make the job differ from what was judged.
TEST_F(ParseOncePolicyTest, RunningAParsedTemplateRequestDoesNotExpandItAgain) {
  auto before = TemplateCatalog::FromJson(json::parse(
      R"({"say": {"command": ["echo", "{{params.text}}"], "params": {"text": {"type": "string"}}}})"));
  auto after = TemplateCatalog::FromJson(json::parse(
      R"({"say": {"command": ["rm", "{{params.text}}"], "params": {"text": {"type": "string"}}}})"));
  ASSERT_TRUE(before.ok() && after.ok());
  TemplateCatalog catalog = *before;
  ServiceOptions so;
  so.base_cwd = dir_.path();
  so.templates = &catalog;
  JobService service(*store_, *control_, *watcher_, SystemClock::Instance(), so);
  tools::EnqueueTool enqueue(service);
  auto request = enqueue.Parse({{"template", "say"}, {"params", {{"text", "hi"}}}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ((*request)->arguments["command"], json({"echo", "hi"}));
  catalog = *after;
  ToolCallContext ctx;
  ToolResult r = enqueue.Run(**request, ctx);
  ASSERT_FALSE(r.is_error()) << r.error;
  auto job = store_->Get(r.structured["job_id"].get<JobId>());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->spec.command, std::vector<std::string>({"echo", "hi"}));
}

}  // namespace
}  // namespace baton
