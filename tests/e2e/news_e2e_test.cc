// End to end over stdio: job news reaching the agent's own session (issues 5 and 9):
// subscriptions/listen (2026-07-28), job resources with resources/updated, Claude Code channel
// messages, progress while status waits. A real `baton serve --stdio`, a real runner, real jobs.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/mcp_client.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

json ModernMeta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", json::object()},
          {"io.modelcontextprotocol/clientInfo", {{"name", "e2e"}, {"version", "1"}}}};
}

auto Method(const std::string& method) {
  return [method](const json& n) { return n.value("method", "") == method; };
}

class NewsE2eTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.File("baton.db"); }
  std::unique_ptr<McpClient> Start(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--runner-idle-exit", "3"});
    return std::make_unique<McpClient>(db(), std::map<std::string, std::string>{}, extra);
  }
  TempDir dir_;
};

TEST_F(NewsE2eTest, ListenIsAcknowledgedAtOnceAndEndsOnCancel) {
  auto c = Start();
  c->SendLine(json{{"jsonrpc", "2.0"},
                   {"id", "listen-1"},
                   {"method", "subscriptions/listen"},
                   {"params",
                    {{"_meta", ModernMeta()},
                     {"notifications",
                      {{"toolsListChanged", true},
                       {"resourceSubscriptions", {"baton://jobs/7", "file:///elsewhere"}}}}}}}
                  .dump());
  json ack = c->WaitNotification(Method("notifications/subscriptions/acknowledged"), 10000);
  ASSERT_FALSE(ack.is_null()) << c->process().Stderr();
  EXPECT_EQ(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "listen-1");
  // Honored: the job resource; not: a URI baton does not serve, list changes (lists are fixed).
  EXPECT_EQ(ack["params"]["notifications"],
            json({{"resourceSubscriptions", {"baton://jobs/7"}}}));

  // The connection keeps serving other requests while the stream is open.
  json tools = c->Request("tools/list", {{"_meta", ModernMeta()}});
  ASSERT_TRUE(tools.contains("result")) << tools.dump();

  // Cancelled by the client: no response for the listen request, and the server goes on.
  c->Notify("notifications/cancelled", {{"requestId", "listen-1"}});
  json ping = c->Request("tools/list", {{"_meta", ModernMeta()}});
  ASSERT_TRUE(ping.contains("result"));
  EXPECT_TRUE(c->ReadResponse(1000).is_null()) << "a cancelled listen gets no response";
}

TEST_F(NewsE2eTest, ListenWithABadFilterIsAnInvalidParamsError) {
  auto c = Start();
  json r = c->Request("subscriptions/listen",
                      {{"_meta", ModernMeta()}, {"notifications", {{"resourceSubscriptions", 3}}}});
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("resourceSubscriptions"),
            std::string::npos);
}

TEST_F(NewsE2eTest, ListenIsNotPartOfTheLegacyEra) {
  auto c = Start();
  c->Initialize();
  json r = c->Request("subscriptions/listen", {{"notifications", json::object()}});
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["code"], -32601);
}

}  // namespace
}  // namespace baton::testing

namespace baton::testing {
namespace {

using nlohmann::json;

class SessionNewsTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.File("baton.db"); }
  std::unique_ptr<McpClient> Connect(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--runner-idle-exit", "5"});
    auto c = std::make_unique<McpClient>(db(), std::map<std::string, std::string>{}, extra);
    init_ = c->Initialize();
    return c;
  }
  static auto ChannelFor(int64_t job_id) {
    return [job_id](const json& n) {
      return n.value("method", "") == "notifications/claude/channel" &&
             n["params"]["meta"]["job_id"] == std::to_string(job_id);
    };
  }
  json init_;
  TempDir dir_;
};

TEST_F(SessionNewsTest, JobResourceSubscriptionGetsUpdatesWhenTheJobStartsAndEnds) {
  auto c = Connect();
  EXPECT_EQ(init_["capabilities"]["resources"]["subscribe"], true);
  json templates = c->Request("resources/templates/list", json::object());
  ASSERT_EQ(templates["result"]["resourceTemplates"][0]["uriTemplate"], "baton://jobs/{id}")
      << templates.dump();
  // Starts a second from now: the subscription is in place before it runs.
  json e = c->CallOk("enqueue", {{"command", {"/bin/sleep", "1"}}, {"delay_seconds", 1}});
  int64_t id = e["job_id"];
  std::string uri = "baton://jobs/" + std::to_string(id);
  json sub = c->Request("resources/subscribe", {{"uri", uri}});
  ASSERT_TRUE(sub.contains("result")) << sub.dump();

  auto updated = [&](const json& n) {
    return n.value("method", "") == "notifications/resources/updated" && n["params"]["uri"] == uri;
  };
  ASSERT_FALSE(c->WaitNotification(updated, 20000).is_null()) << "no update when it started";
  json read = c->Request("resources/read", {{"uri", uri}});
  json running = json::parse(read["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(running["job_id"], id);
  EXPECT_EQ(running["state"], "running") << running.dump();
  ASSERT_FALSE(c->WaitNotification(updated, 20000).is_null()) << "no update when it ended";
  read = c->Request("resources/read", {{"uri", uri}});
  json done = json::parse(read["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(done["state"], "succeeded");

  // Unsubscribed: no more news of it (a manual retry would change it).
  c->Request("resources/unsubscribe", {{"uri", uri}});
  EXPECT_TRUE(c->Request("resources/read", {{"uri", "baton://jobs/999999"}}).contains("error"));
  EXPECT_TRUE(c->Request("resources/subscribe", {{"uri", "file:///etc/passwd"}}).contains("error"));
}

TEST_F(SessionNewsTest, ChannelMessageForOwnJobOnlyAndNoneForAnotherSessionsJob) {
  auto a = Connect();
  EXPECT_TRUE(init_["capabilities"]["experimental"].contains("claude/channel")) << init_.dump();
  auto b = Connect();
  json ja = a->CallOk("enqueue", {{"command", {"/bin/sh", "-c",
                                               "echo building; echo 'boom: test_parser' >&2; "
                                               "exit 2"}},
                                  {"queue", "builds"}});
  json jb = b->CallOk("enqueue", {{"command", {"/bin/echo", "from-b"}}});
  int64_t ida = ja["job_id"], idb = jb["job_id"];

  json na = a->WaitNotification(ChannelFor(ida), 30000);
  ASSERT_FALSE(na.is_null()) << a->process().Stderr();
  const std::string content = na["params"]["content"];
  EXPECT_NE(content.find("job " + std::to_string(ida) + " `/bin/sh -c"), std::string::npos)
      << content;
  EXPECT_NE(content.find("failed"), std::string::npos) << content;
  EXPECT_NE(content.find("(exit 2)"), std::string::npos) << content;
  EXPECT_NE(content.find("boom: test_parser"), std::string::npos) << content;
  EXPECT_LT(content.size(), 600u);
  EXPECT_EQ(na["params"]["meta"], json({{"job_id", std::to_string(ida)},
                                        {"state", "failed"},
                                        {"queue", "builds"}}));
  for (const auto& [key, value] : na["params"]["meta"].items())
    EXPECT_TRUE(std::regex_match(key, std::regex("[A-Za-z_][A-Za-z0-9_]*"))) << key;

  json nb = b->WaitNotification(ChannelFor(idb), 30000);
  ASSERT_FALSE(nb.is_null()) << b->process().Stderr();
  EXPECT_EQ(nb["params"]["meta"]["state"], "succeeded");
  EXPECT_NE(nb["params"]["content"].get<std::string>().find("from-b"), std::string::npos);

  // Each session heard of its own job only (b's job has ended: a's feed saw it too).
  EXPECT_TRUE(a->WaitNotification(ChannelFor(idb), 1500).is_null());
  EXPECT_TRUE(b->WaitNotification(ChannelFor(ida), 100).is_null());
  EXPECT_TRUE(a->WaitNotification(ChannelFor(ida), 100).is_null()) << "one message per end";
}

TEST_F(SessionNewsTest, NoChannelsFlagDeclaresAndSendsNone) {
  auto c = Connect({"--no-channels"});
  EXPECT_FALSE(init_["capabilities"].contains("experimental")) << init_.dump();
  json e = c->CallOk("enqueue", {{"command", {"/bin/echo", "quiet"}}});
  int64_t id = e["job_id"];
  // Its end reaches the session as a resource update but never as a channel message.
  c->Request("resources/subscribe", {{"uri", "baton://jobs/" + std::to_string(id)}});
  WaitForJob(db(), id, "succeeded", 20000);
  EXPECT_TRUE(c->WaitNotification(ChannelFor(id), 2500).is_null());
}

TEST_F(SessionNewsTest, AWaitThatSawTheEndSendsNoChannelMessageOneThatGaveUpDoes) {
  auto c = Connect({"--max-wait", "1", "--progress-interval", "0.2"});
  json tools = c->Request("tools/list", json::object());
  for (const json& t : tools["result"]["tools"]) {
    if (t["name"] != "status") continue;
    EXPECT_NE(t["description"].get<std::string>().find("capped at 1)"), std::string::npos);
  }

  // Seen inline: the agent has the result, no channel message.
  json quick = c->CallOk("enqueue", {{"command", {"/bin/sleep", "0.5"}}});
  int64_t q = quick["job_id"];
  json r = c->Request("tools/call", {{"name", "status"},
                                     {"arguments", {{"job_id", q}, {"wait_seconds", 1}}}},
                      30000);
  ASSERT_EQ(r["result"]["structuredContent"]["state"], "succeeded") << r.dump();

  // Given up on (the wait is capped at 1 s): the end arrives later as a channel message.
  json slow = c->CallOk("enqueue", {{"command", {"/bin/sleep", "3"}}});
  int64_t s = slow["job_id"];
  r = c->Request("tools/call", {{"name", "status"},
                                {"arguments", {{"job_id", s}, {"wait_seconds", 100}}},
                                {"_meta", {{"progressToken", "tok"}}}},
                 30000);
  json st = r["result"]["structuredContent"];
  EXPECT_EQ(st["timed_out"], true) << st.dump();
  EXPECT_EQ(st["state"], "running");
  // Progress came at the configured cadence while it waited (1 s at 0.2 s).
  int progress = 0;
  for (const json& n : c->notifications())
    if (n.value("method", "") == "notifications/progress" && n["params"]["progressToken"] == "tok")
      ++progress;
  EXPECT_GE(progress, 3);
  json n = c->WaitNotification(ChannelFor(s), 30000);
  ASSERT_FALSE(n.is_null());
  EXPECT_EQ(n["params"]["meta"]["state"], "succeeded");
  EXPECT_TRUE(c->WaitNotification(ChannelFor(q), 500).is_null())
      << "the job whose end a status call returned got a channel message too";
}

TEST_F(SessionNewsTest, PreferLegacyProtocolRefusesDiscoverSoClientsInitialize) {
  McpClient c(db(), {}, {"--prefer-legacy-protocol", "--runner-idle-exit", "3"});
  json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
               {"io.modelcontextprotocol/clientCapabilities", json::object()}};
  json r = c.Request("server/discover", {{"_meta", meta}});
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["code"], -32601);
  json init = c.Initialize();
  EXPECT_EQ(init["protocolVersion"], "2025-11-25");
  EXPECT_TRUE(init["capabilities"]["experimental"].contains("claude/channel"));
}

}  // namespace
}  // namespace baton::testing
