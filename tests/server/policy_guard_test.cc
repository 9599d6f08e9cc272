#include "server/guard/policy_guard.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/runner_control.h"
#include "server/jobs/state_paths.h"
#include "server/mcp/mcp_server.h"
#include "tests/support/temp_dir.h"
#include "tools/register_tools.h"

namespace baton {
namespace {

using nlohmann::json;

class PolicyGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto paths = ResolveStatePaths(dir_.File("b.db"));
    ASSERT_TRUE(paths.ok()) << paths.status().ToString();
    store_ = std::move(JobStore::Open(paths->db).value());
    log_ = std::move(DecisionLog::Open(paths->db).value());
    control_ = std::make_unique<RunnerControl>(*paths, RunnerLaunch{"", {}, false});
    watcher_ = std::make_unique<JobWatcher>(*store_);
    UseTemplates(nullptr);
    std::filesystem::create_directories(policy_dir());
  }
  // The job tools, parsing with `templates` as the front-end's do.
  void UseTemplates(const TemplateCatalog* templates) {
    ServiceOptions so;
    so.base_cwd = dir_.path();
    so.templates = templates;
    server_ = std::make_unique<McpServer>("baton", "1.0", "");
    service_ = std::make_unique<JobService>(*store_, *control_, *watcher_,
                                            SystemClock::Instance(), so);
    tools::RegisterJobTools(*server_, *service_);
  }
  std::string policy_dir() const { return dir_.File("policies"); }
  void WritePolicy(const std::string& name, const std::string& text) {
    std::ofstream(policy_dir() + "/" + name) << text;
  }
  void UseDefaultPolicy() {
    std::ifstream in(testing::SourceDir() + "/examples/policies/default.rego");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty());
    WritePolicy("default.rego", text);
  }
  std::unique_ptr<PolicyGuard> Guard(PolicyOptions o = {}) {
    if (o.policy_dir.empty() && o.opa_url.empty()) o.policy_dir = policy_dir();
    auto g = PolicyGuard::Create(*store_, *log_, SystemClock::Instance(), o);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? std::move(g).value() : nullptr;
  }
  // A tools/call as the session judges it: on the request the tool parsed.
  template <typename Fn>
  auto WithFacts(const std::string& tool, const json& args, const std::string& transport,
                 const std::string& principal, Fn fn) {
    std::string method = "tools/call", version = "2025-11-25";
    SessionInfo session{"s1", transport, principal};
    auto request = server_->FindTool(tool)->Parse(args);
    CallFacts f{method, &tool, &args, session, version};
    if (request.ok()) f.request = request->get();
    else f.invalid = &request.status();
    return fn(f);
  }
  GuardVerdict Call(PolicyGuard& g, const std::string& tool, const json& args,
                    const std::string& transport = "stdio", const std::string& principal = "alice") {
    return WithFacts(tool, args, transport, principal,
                     [&](const CallFacts& f) { return g.Check(f); });
  }
  json Input(PolicyGuard& g, const std::string& tool, const json& args,
             const std::string& transport = "stdio", const std::string& principal = "alice") {
    return WithFacts(tool, args, transport, principal,
                     [&](const CallFacts& f) { return g.BuildInput(f); });
  }
  static bool Mentions(const GuardVerdict& v, const std::string& needle) {
    for (const auto& r : v.reasons)
      if (r.find(needle) != std::string::npos) return true;
    return false;
  }
  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<DecisionLog> log_;
  std::unique_ptr<RunnerControl> control_;
  std::unique_ptr<JobWatcher> watcher_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<JobService> service_;
};

TEST_F(PolicyGuardTest, DefaultPolicyAllowsSafeCommandsAndDeniesDangerousOnes) {
  UseDefaultPolicy();
  auto g = Guard();
  ASSERT_TRUE(g);
  struct Case { json args; bool allow; const char* reason; };
  const Case kCases[] = {
      {{{"command", {"make", "test"}}}, true, ""},
      {{{"command", {"sudo", "make"}}}, false, "not on the allowlist"},
      {{{"command", {"bash", "-c", "echo hi"}}}, false, "shells are not allowed"},
      {{{"command", {"git", "clean"}}, {"retry", {{"max_attempts", 50}}}}, false, "exceeds the cap"},
      {{{"command", {"make"}}, {"env", {{"LD_PRELOAD", "x.so"}}}}, false, "LD_PRELOAD"},
      {{{"command", {"/usr/bin/make", "test"}}}, true, ""},
      {{{"command", {"/any/dir/make"}}}, false, "a path must be in a trusted directory"},
      {{{"command", {"make"}}, {"env", {{"PATH", "/tmp/evil:/usr/bin"}}}}, false, "PATH is not allowed"},
      {{{"command", {"python3", "-c", "import os"}}}, false, "not inline code"},
      {{{"command", {"python3", "-m", "pytest"}}}, true, ""},
      {{{"command", {"git", "-c", "alias.x=!sh -c id", "x"}}}, false, "configuration or programs"},
      {{{"command", {"git", "x"}}}, false, "aliases are not allowed"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.args.dump());
    GuardVerdict v = Call(*g, "enqueue", c.args);
    EXPECT_EQ(v.allow, c.allow);
    if (!c.allow) {
      EXPECT_TRUE(Mentions(v, c.reason)) << json(v.reasons).dump();
    }
  }
  // Chain steps are checked one by one.
  GuardVerdict chain = Call(*g, "chain", {{"steps", {{{"command", {"make"}}}, {{"command", {"rm", "-rf", "/"}}}}}});
  EXPECT_FALSE(chain.allow);
}

TEST_F(PolicyGuardTest, InputCarriesServerFactsAndDecisionsAreLoggedMasked) {
  WritePolicy("p.rego", "package baton\nimport rego.v1\ndefault allow := true\n");
  auto g = Guard();
  EnqueueRequest r;
  r.spec.command = {"true"};
  r.spec.cwd = "/tmp";
  r.origin = {"s0", "bob"};
  auto job = store_->Enqueue(r, SystemClock::Instance().NowMs());
  ASSERT_TRUE(job.ok());
  json input = Input(*g, "cancel", {{"job_id", job->id}}, "http", "carol");
  EXPECT_EQ(input["tool"], "cancel");
  EXPECT_EQ(input["principal"]["id"], "carol");
  EXPECT_EQ(input["principal"]["kind"], "token");
  EXPECT_EQ(input["transport"], "http");
  EXPECT_EQ(input["job"]["principal"], "bob");
  EXPECT_EQ(input["job"]["state"], "queued");
  EXPECT_TRUE(input["now_ns"].is_number_integer());
  EXPECT_EQ(input["stats"]["enqueues_last_minute"], 0);

  (void)Call(*g, "enqueue", {{"command", {"make"}}, {"env", {{"TOKEN", "secret"}}}});
  auto recent = log_->Recent(1);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  const DecisionRecord& d = recent->front();
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.tool, "enqueue");
  EXPECT_EQ(d.input_digest.size(), 64u);
  EXPECT_EQ(d.input_json.find("secret"), std::string::npos) << d.input_json;
  EXPECT_NE(d.input_json.find("<masked>"), std::string::npos);
  auto events = store_->UnpublishedEvents(100);
  bool found = false;
  for (const Event& e : *events) found = found || e.type == "policy.decision";
  EXPECT_TRUE(found) << "each decision is also an event in the outbox";
}

TEST(DecisionRecorderTest, MasksSaysWhetherMaskWouldReplaceAnything) {
  struct Case { const char* doc; const char* path; bool masks; };
  const Case kCases[] = {
      {R"({"arguments":{"command":["true"]}})", "arguments.env", false},
      {R"({"arguments":{"env":{"A":"1"}}})", "arguments.env", true},
      {R"({"arguments":{"steps":[{"command":["a"]},{"stdin":"x"}]}})", "arguments.stdin", true},
      {R"({"arguments":[{"env":{}}]})", "arguments.env", true},
      {R"({"arguments":"env"})", "arguments.env", false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.doc) + " " + c.path);
    json doc = json::parse(c.doc);
    EXPECT_EQ(DecisionRecorder::Masks(doc, c.path), c.masks);
    json masked = doc;
    DecisionRecorder::Mask(masked, c.path);
    EXPECT_EQ(masked != doc, c.masks);
  }
}

TEST_F(PolicyGuardTest, TemplateEnqueuesAreJudgedByTheirExpandedSpec) {
  UseDefaultPolicy();
  auto g = Guard();
  auto cat = TemplateCatalog::FromJson(json::parse(R"({
    "build": {"command": ["make", "{{params.target}}"], "params": {"target": {"type": "string"}}},
    "nuke": {"command": ["rm", "-rf", "{{params.dir}}"], "params": {"dir": {"type": "string"}}}})"));
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  UseTemplates(&*cat);
  json args = {{"template", "build"}, {"params", {{"target", "all"}}}};
  json input = Input(*g, "enqueue", args);
  EXPECT_EQ(input["origin"], "template");
  EXPECT_EQ(input["template"], json({{"name", "build"}, {"params", {{"target", "all"}}}}));
  EXPECT_EQ(input["arguments"]["command"], json({"make", "all"}));
  EXPECT_TRUE(Call(*g, "enqueue", args).allow);
  GuardVerdict nuke = Call(*g, "enqueue", {{"template", "nuke"}, {"params", {{"dir", "/"}}}});
  EXPECT_FALSE(nuke.allow);
  EXPECT_TRUE(Mentions(nuke, "not on the allowlist")) << json(nuke.reasons).dump();
  // A direct enqueue says so.
  EXPECT_EQ(Input(*g, "enqueue", {{"command", {"make"}}})["origin"], "direct");
  // One that does not expand is not evaluated: the tool's error tells the agent what to fix.
  GuardVerdict bad = Call(*g, "enqueue", {{"template", "build"}});
  EXPECT_TRUE(bad.allow);
  auto recent = log_->Recent(1);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->front().backend, "none: invalid arguments");
}

TEST_F(PolicyGuardTest, IndirectJobsAreCheckedAsEnqueuesWithTheirOrigin) {
  UseDefaultPolicy();
  auto g = Guard();
  // The session was seen over HTTP: jobs its calls create carry that transport and kind.
  (void)Call(*g, "status", {{"job_id", 1}}, "http", "bot");
  JobCheck c;
  c.origin = "chain";
  c.spec = {{"command", {"curl", "http://x"}}, {"cwd", "/tmp"}, {"run_at", "2026-01-01T00:00:00Z"}};
  c.on_behalf_of = {"s1", "bot"};
  c.chain_depth = 2;
  c.chain_parent = 7;
  c.source = {{"step", 1}};
  json input = g->BuildJobInput(c);
  EXPECT_EQ(input["method"], "tools/call");
  EXPECT_EQ(input["tool"], "enqueue");
  EXPECT_EQ(input["origin"], "chain");
  EXPECT_EQ(input["transport"], "http");
  EXPECT_EQ(input["principal"], json({{"id", "bot"}, {"kind", "token"}}));
  EXPECT_EQ(input["chain"], json({{"depth", 2}, {"parent", 7}}));
  EXPECT_FALSE(input["arguments"].contains("run_at"));
  std::vector<std::string> reasons = g->CheckJob(c);
  ASSERT_FALSE(reasons.empty());
  EXPECT_NE(reasons[0].find("\"curl\" is not on the allowlist"), std::string::npos);
  auto recent = log_->Recent(1);
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_FALSE(recent->front().allowed);
  EXPECT_EQ(recent->front().tool, "enqueue");
  c.spec["command"] = {"make"};
  EXPECT_TRUE(g->CheckJob(c).empty());
}

TEST_F(PolicyGuardTest, RetentionPrunesOldDecisions) {
  DecisionRecord old_one;
  old_one.id = "old";
  old_one.ts_ms = 1000;
  old_one.method = "ping";
  DecisionRecord recent = old_one;
  recent.id = "recent";
  recent.ts_ms = 5000000;
  ASSERT_TRUE(log_->Record(old_one).ok());
  ASSERT_TRUE(log_->Record(recent).ok());
  ASSERT_TRUE(store_->Prune(2000000, 100).ok());
  auto left = log_->Recent(10);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().id, "recent");
}

TEST_F(PolicyGuardTest, FailsClosedOnUndefinedDecisionsAndErrors) {
  WritePolicy("p.rego", "package baton\nimport rego.v1\nallow if input.tool == \"status\"\n");
  auto g = Guard();
  EXPECT_TRUE(Call(*g, "status", {{"job_id", 1}}).allow);
  GuardVerdict v = Call(*g, "enqueue", {{"command", {"make"}}});
  EXPECT_FALSE(v.allow) << "an undefined allow is a denial";
  EXPECT_FALSE(v.reasons.empty());
}

// A denial carries what the agent may do instead: the policy's optional `hint` rule (the shipped
// default names the allowed commands), read only when the call is denied; a broken hint is left
// out and never changes the decision.
TEST_F(PolicyGuardTest, ADenialCarriesThePolicysHint) {
  UseDefaultPolicy();
  auto g = Guard();
  ASSERT_TRUE(g);
  GuardVerdict curl = Call(*g, "enqueue", {{"command", {"curl", "example.com"}}});
  EXPECT_FALSE(curl.allow);
  ASSERT_EQ(curl.hints.size(), 1u) << json(curl.hints).dump();
  EXPECT_NE(curl.hints[0].find("the allowed commands are cargo, cat, claude, cmake"),
            std::string::npos)
      << curl.hints[0];
  EXPECT_TRUE(Call(*g, "enqueue", {{"command", {"make"}}}).hints.empty());
  GuardVerdict env = Call(*g, "enqueue", {{"command", {"make"}}, {"env", {{"LD_PRELOAD", "x"}}}});
  EXPECT_FALSE(env.allow);
  EXPECT_TRUE(env.hints.empty()) << "no hint for a denial the hint rule does not cover";

  WritePolicy("default.rego", "package baton\nimport rego.v1\ndefault allow := false\n"
                              "hint := 1 / 0 if true\n");
  ASSERT_TRUE(g->Reload().ok());
  GuardVerdict broken = Call(*g, "enqueue", {{"command", {"make"}}});
  EXPECT_FALSE(broken.allow);
  EXPECT_TRUE(broken.hints.empty());
}

TEST_F(PolicyGuardTest, HotReloadKeepsTheOldPolicyWhenTheNewOneDoesNotCompile) {
  WritePolicy("p.rego", "package baton\nimport rego.v1\ndefault allow := true\n");
  auto g = Guard();
  EXPECT_TRUE(Call(*g, "enqueue", {{"command", {"make"}}}).allow);
  WritePolicy("p.rego", "package baton\nimport rego.v1\nallow if {{{ broken\n");
  EXPECT_FALSE(g->Reload().ok());
  EXPECT_TRUE(Call(*g, "enqueue", {{"command", {"make"}}}).allow) << "the old policy stays";
  // The watcher, once its owner starts it, picks the change up by itself.
  ASSERT_NE(g->reloader(), nullptr);
  ASSERT_TRUE(g->reloader()->Start().ok());
  WritePolicy("p.rego", "package baton\nimport rego.v1\ndefault allow := false\ndeny contains \"closed\" if true\n");
  bool denied = false;
  for (int i = 0; i < 100 && !denied; ++i) {
    denied = !Call(*g, "enqueue", {{"command", {"make"}}}).allow;
    if (!denied) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(denied);
}

TEST_F(PolicyGuardTest, OpaBackendIsAskedAndFailsClosed) {
  httplib::Server opa;
  std::string mode = "allow";
  opa.Post("/v1/data/baton", [&](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body);
    if (mode == "allow")
      res.set_content(json{{"decision_id", "d-1"}, {"result", {{"allow", body["input"]["tool"] == "status"}, {"deny", json::array()}, {"hint", {"ask the user"}}}}}.dump(), "application/json");
    else if (mode == "undefined")
      res.set_content(R"({"decision_id":"d-2"})", "application/json");
    else if (mode == "slow")
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    else
      res.status = 500;
  });
  int port = opa.bind_to_any_port("127.0.0.1");
  std::thread t([&] { opa.listen_after_bind(); });
  PolicyOptions o;
  o.opa_url = "http://127.0.0.1:" + std::to_string(port) + "/v1/data/baton";
  o.opa_timeout_ms = 500;
  auto g = Guard(o);
  EXPECT_TRUE(Call(*g, "status", {{"job_id", 1}}).allow);
  GuardVerdict denied = Call(*g, "enqueue", {{"command", {"make"}}});
  EXPECT_FALSE(denied.allow);
  EXPECT_EQ(denied.hints, std::vector<std::string>{"ask the user"});  // the package's hint
  auto recent = log_->Recent(1);
  EXPECT_EQ(recent->front().backend, "opa");
  EXPECT_EQ(recent->front().backend_decision_id, "d-1");
  for (const char* m : {"undefined", "slow", "error"}) {
    SCOPED_TRACE(m);
    mode = m;
    GuardVerdict v = Call(*g, "status", {{"job_id", 1}});
    EXPECT_FALSE(v.allow);
    EXPECT_FALSE(v.reasons.empty());
  }
  opa.stop();
  t.join();
}

}  // namespace
}  // namespace baton
