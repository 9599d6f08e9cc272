#include "server/mcp/mcp_session.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "tests/server/recording_responder.h"

namespace baton {
namespace {

using nlohmann::json;

// Records what the session sends.
using Recorder = testing::RecordingResponder;

// A tool that echoes its arguments, or waits until cancelled when asked to.
class EchoTool final : public Tool {
 public:
  EchoTool() {
    def_ = {{"name", "echo"}, {"title", "Echo"}, {"description", "echoes"},
            {"inputSchema", {{"type", "object"}}},
            {"outputSchema", {{"type", "object"}}}, {"annotations", {{"readOnlyHint", true}}}};
  }
  const json& Definition() const override { return def_; }
  bool MayBlock(const json& a) const override { return a.value("block", false); }
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override {
    const json& a = request.arguments;
    if (a.value("fail", false)) return ToolResult::Error("it failed");
    if (a.value("block", false)) {
      ctx.progress(1, 2, "half");
      while (!ctx.cancelled->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return ToolResult::Ok({{"args", a}, {"principal", ctx.origin.principal}});
  }

 private:
  json def_;
};

class McpSessionTest : public ::testing::Test {
 protected:
  McpSessionTest() : server_("baton", "1.0", "use it") {
    server_.AddTool(std::make_unique<EchoTool>());
  }
  json Call(const std::string& frame) {
    auto r = std::make_shared<Recorder>();
    session_.HandleFrame(frame, r);
    return r->responses.empty() ? json() : r->responses.back();
  }
  void Init(const std::string& version) {
    json r = Call(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" +
                  version + R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    ASSERT_EQ(r["result"]["protocolVersion"], version);
  }
  McpServer server_;
  McpSession session_{server_, {"sid", "stdio", "alice"}};
};

TEST_F(McpSessionTest, NegotiatesTheVersion) {
  struct Case { const char* asked; const char* answered; };
  for (Case c : {Case{"2025-03-26", "2025-03-26"}, Case{"2025-06-18", "2025-06-18"},
                 Case{"2025-11-25", "2025-11-25"}, Case{"2024-11-05", "2025-11-25"},
                 Case{"1999-01-01", "2025-11-25"}}) {
    SCOPED_TRACE(c.asked);
    McpSession s(server_, {"x", "stdio", "bob"});
    auto r = std::make_shared<Recorder>();
    s.HandleFrame(std::string(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")") +
                      c.asked + R"("}})", r);
    ASSERT_EQ(r->responses.size(), 1u);
    EXPECT_EQ(r->responses[0]["result"]["protocolVersion"], c.answered);
    EXPECT_EQ(r->responses[0]["result"]["serverInfo"]["name"], "baton");
    EXPECT_TRUE(r->responses[0]["result"]["capabilities"].contains("tools"));
  }
}

TEST_F(McpSessionTest, ToolsAreNotServedBeforeInitialize) {
  json list = Call(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(list["error"]["code"], kNotInitializedError) << list.dump();
  EXPECT_NE(list["error"]["message"].get<std::string>().find("initialize"), std::string::npos);
  json call = Call(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{}}})");
  EXPECT_EQ(call["error"]["code"], kNotInitializedError) << call.dump();
  // Pings are allowed, and a bare server/discover probe still gets -32601 so clients fall back.
  EXPECT_TRUE(Call(R"({"jsonrpc":"2.0","id":3,"method":"ping"})").contains("result"));
  EXPECT_EQ(Call(R"({"jsonrpc":"2.0","id":4,"method":"server/discover"})")["error"]["code"], -32601);
  Init("2025-11-25");
  EXPECT_TRUE(Call(R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})").contains("result"));
}

TEST_F(McpSessionTest, AnswersErrorsWithTheRightCodes) {
  Init("2025-11-25");
  struct Case { const char* frame; int code; };
  const Case kCases[] = {
      {R"({"jsonrpc":"2.0","id":1,"method":"server/discover"})", -32601},
      {R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}})", -32602},
      {R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{}})", -32602},
      {R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":[1]}})", -32602},
      {R"(not json)", -32700},
      {R"({"jsonrpc":"2.0","id":5})", -32600},
      {R"([{"jsonrpc":"2.0","id":6,"method":"ping"}])", -32600},  // no batches after 2025-03-26
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.frame);
    EXPECT_EQ(Call(c.frame)["error"]["code"], c.code);
  }
  EXPECT_TRUE(Call(R"({"jsonrpc":"2.0","method":"notifications/whatever"})").is_null());
}

TEST_F(McpSessionTest, ToolResultsCarryStructuredContentAndText) {
  Init("2025-06-18");
  json r = Call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"x":1}}})");
  EXPECT_EQ(r["result"]["isError"], false);
  EXPECT_EQ(r["result"]["structuredContent"]["args"]["x"], 1);
  EXPECT_EQ(r["result"]["structuredContent"]["principal"], "alice");
  EXPECT_EQ(json::parse(r["result"]["content"][0]["text"].get<std::string>()),
            r["result"]["structuredContent"]);
  json e = Call(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"fail":true}}})");
  EXPECT_EQ(e["result"]["isError"], true);
  EXPECT_EQ(e["result"]["content"][0]["text"], "it failed");
}

TEST_F(McpSessionTest, OldProtocolGetsNoStructuredFieldsButBatches) {
  Init("2025-03-26");
  json list = Call(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_FALSE(list["result"]["tools"][0].contains("outputSchema"));
  json r = Call(R"([{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo"}}])");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["id"], 2);
  EXPECT_FALSE(r[1]["result"].contains("structuredContent"));
}

TEST_F(McpSessionTest, CancelledBlockingCallSendsNoResponse) {
  Init("2025-11-25");
  auto rec = std::make_shared<Recorder>();
  session_.HandleFrame(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"block":true},"_meta":{"progressToken":"t1"}}})", rec);
  // The blocking call runs on its own thread: a ping is answered meanwhile.
  session_.HandleFrame(R"({"jsonrpc":"2.0","id":10,"method":"ping"})", rec);
  EXPECT_EQ(rec->WaitResponse(1)["id"], 10);
  session_.HandleFrame(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}})", rec);
  session_.Shutdown();
  EXPECT_EQ(rec->responses.size(), 1u);
  ASSERT_EQ(rec->notifications.size(), 1u);
  EXPECT_EQ(rec->notifications[0]["method"], "notifications/progress");
  EXPECT_EQ(rec->notifications[0]["params"]["progressToken"], "t1");
}

class DenyEcho final : public RequestGuard {
 public:
  GuardVerdict Check(const CallFacts& f) override {
    if (f.tool && *f.tool == "echo") return {false, {"echo is not allowed"}};
    if (f.method == "tools/list") return {false, {}};
    return {};
  }
};

TEST_F(McpSessionTest, GuardDeniesToolCallsAsToolErrorsAndOtherMethodsAsRpcErrors) {
  DenyEcho guard;
  server_.SetGuard(&guard);
  Init("2025-11-25");
  json r = Call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}})");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_NE(r["result"]["content"][0]["text"].get<std::string>().find("echo is not allowed"), std::string::npos);
  json l = Call(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_EQ(l["error"]["code"], kPolicyDeniedError);
  server_.SetGuard(nullptr);
}

}  // namespace
}  // namespace baton
