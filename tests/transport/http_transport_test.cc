// The Streamable HTTP transport with baton's MCP protocol layer, in process, over real sockets
// on 127.0.0.1: status codes of the transport rules, sessions, SSE streams and their
// resumption, the hardening against cpp-httplib 0.11.4 pitfalls, and both protocol eras.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_server.h"
#include "tests/transport/http_test_client.h"
#include "transport/http_server.h"

namespace baton {
namespace {

using nlohmann::json;
using testing::BuildRequest;
using testing::HttpReply;
using testing::PostJson;
using testing::SendRaw;
using testing::SseConnection;

class LambdaTool final : public Tool {
 public:
  LambdaTool(std::string name, std::function<ToolResult(ToolCallContext&)> fn)
      : def_({{"name", name}, {"description", name}, {"inputSchema", {{"type", "object"}}}}),
        fn_(std::move(fn)) {}
  const json& Definition() const override { return def_; }
  ToolResult Run(const ToolRequest&, ToolCallContext& ctx) override { return fn_(ctx); }

 private:
  json def_;
  std::function<ToolResult(ToolCallContext&)> fn_;
};

json Init(const std::string& version = "2025-11-25") {
  return {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
          {"params", {{"protocolVersion", version}, {"capabilities", json::object()},
                      {"clientInfo", {{"name", "test"}, {"version", "0"}}}}}};
}
json Call(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}
json ModernMeta(const std::string& version = "2026-07-28") {
  return {{"io.modelcontextprotocol/protocolVersion", version},
          {"io.modelcontextprotocol/clientCapabilities", json::object()}};
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void Start(transport::AccessOptions access = {}) {
    server_ = std::make_unique<McpServer>("test", "1", "");
    server_->AddTool(std::make_unique<LambdaTool>("echo", [](ToolCallContext&) {
      return ToolResult::Ok({{"echo", true}});
    }));
    server_->AddTool(std::make_unique<LambdaTool>("progress", [](ToolCallContext& ctx) {
      for (int i = 1; i <= 3; ++i) ctx.progress(i, 3, "step");
      return ToolResult::Ok({{"done", true}});
    }));
    server_->AddTool(std::make_unique<LambdaTool>("reconnect", [](ToolCallContext& ctx) {
      ctx.close_stream();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return ToolResult::Ok({{"after", "reconnect"}});
    }));
    handler_ = std::make_unique<McpHttpHandler>(*server_);
    transport::HttpServerOptions o;
    o.port = 0;
    o.worker_threads = 8;
    o.max_sse_streams = 3;
    o.max_pending_posts = 4;
    o.max_body_bytes = 64 * 1024;
    o.sse_keepalive_ms = 200;
    o.session_versions = SupportedProtocolVersions();
    o.access = std::move(access);
    http_ = std::make_unique<transport::StreamableHttpServer>(o, *handler_);
    ASSERT_TRUE(http_->Start().ok());
    port_ = http_->port();
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }
  std::string Initialize(const std::string& version = "2025-11-25") {
    HttpReply r = PostJson(port_, Init(version));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Header("mcp-session-id");
  }
  std::map<std::string, std::string> Session(const std::string& sid,
                                             const std::string& version = "2025-11-25") {
    return {{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", version}};
  }
  HttpReply Modern(const json& body, std::map<std::string, std::string> headers) {
    return PostJson(port_, body, std::move(headers));
  }

  std::unique_ptr<McpServer> server_;
  std::unique_ptr<McpHttpHandler> handler_;
  std::unique_ptr<transport::StreamableHttpServer> http_;
  int port_ = 0;
};

TEST_F(HttpTransportTest, InitializeReturnsAVisibleAsciiSessionIdAndJson) {
  Start();
  HttpReply r = PostJson(port_, Init());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  std::string sid = r.Header("mcp-session-id");
  ASSERT_GE(sid.size(), 32u);
  for (char c : sid) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  EXPECT_EQ(r.Json()["result"]["protocolVersion"], "2025-11-25");
  HttpReply list = PostJson(port_, Call(2, "tools/list"), Session(sid));
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.Json()["result"]["tools"].size(), 3u);
}

TEST_F(HttpTransportTest, AcceptWithoutJsonOrEventStreamGets406) {
  Start();
  HttpReply r = PostJson(port_, Init(), {{"Accept", "text/html"}});
  EXPECT_EQ(r.status, 406);
}

TEST_F(HttpTransportTest, UnsupportedProtocolVersionHeaderGets400) {
  Start();
  std::string sid = Initialize();
  HttpReply r = PostJson(port_, Call(2, "tools/list"), Session(sid, "1999-01-01"));
  EXPECT_EQ(r.status, 400);
}

TEST_F(HttpTransportTest, ForeignOriginAndForeignHostGet403) {
  Start();
  EXPECT_EQ(PostJson(port_, Init(), {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(PostJson(port_, Init(), {{"Host", "evil.example:80"}}).status, 403);
  EXPECT_EQ(PostJson(port_, Init(), {{"Origin", "http://localhost:3000"}}).status, 200);
}

TEST_F(HttpTransportTest, AllowedOriginIsAccepted) {
  transport::AccessOptions a;
  a.allowed_origins = {"https://app.example"};
  Start(a);
  EXPECT_EQ(PostJson(port_, Init(), {{"Origin", "https://app.example"}}).status, 200);
  EXPECT_EQ(PostJson(port_, Init(), {{"Origin", "https://other.example"}}).status, 403);
}

TEST_F(HttpTransportTest, DeleteEndsTheSessionAndLaterRequestsGet404) {
  Start();
  std::string sid = Initialize();
  HttpReply del = SendRaw(port_, BuildRequest("DELETE", port_, "/mcp", Session(sid), ""));
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(PostJson(port_, Call(2, "tools/list"), Session(sid)).status, 404);
  EXPECT_EQ(PostJson(port_, Call(2, "tools/list"), Session("no-such-session")).status, 404);
}

TEST_F(HttpTransportTest, NotificationsAndResponsesGet202) {
  Start();
  std::string sid = Initialize();
  json note = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  HttpReply r = PostJson(port_, note, Session(sid));
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
  json response = {{"jsonrpc", "2.0"}, {"id", "nobody-asked"}, {"result", json::object()}};
  EXPECT_EQ(PostJson(port_, response, Session(sid)).status, 202);
}

TEST_F(HttpTransportTest, RequestWithoutSessionOrModernMetaGets400) {
  Start();
  EXPECT_EQ(PostJson(port_, Call(2, "tools/list")).status, 400);
}

TEST_F(HttpTransportTest, TokensAreRequiredWhenConfigured) {
  transport::AccessOptions a;
  a.tokens.Add("alice", "0123456789abcdef0123");
  Start(a);
  HttpReply none = PostJson(port_, Init());
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.Header("www-authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(PostJson(port_, Init(), {{"Authorization", "Bearer wrong-token-xxxxxxxx"}}).status, 401);
  HttpReply ok = PostJson(port_, Init(), {{"Authorization", "Bearer 0123456789abcdef0123"}});
  EXPECT_EQ(ok.status, 200);
  // A session belongs to the principal that created it.
  std::string sid = ok.Header("mcp-session-id");
  auto h = Session(sid);
  EXPECT_EQ(PostJson(port_, Call(2, "tools/list"), h).status, 401);
  h["Authorization"] = "Bearer 0123456789abcdef0123";
  EXPECT_EQ(PostJson(port_, Call(2, "tools/list"), h).status, 200);
}

TEST_F(HttpTransportTest, ChunkedAndCompressedBodiesAreRefusedBeforeReading) {
  Start();
  std::string body = Init().dump();
  char len[16];
  snprintf(len, sizeof len, "%zx", body.size());
  std::string chunked = BuildRequest(
      "POST", port_, "/mcp",
      {{"Content-Type", "application/json"}, {"Accept", "application/json"},
       {"Transfer-Encoding", "chunked"}},
      std::string(len) + "\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(SendRaw(port_, chunked).status, 411);
  std::string gz = BuildRequest("POST", port_, "/mcp",
                                {{"Content-Type", "application/json"}, {"Accept", "application/json"},
                                 {"Content-Encoding", "gzip"}},
                                std::string(64, 'x'));
  EXPECT_EQ(SendRaw(port_, gz).status, 415);
}

TEST_F(HttpTransportTest, BodyOverTheLimitGets413) {
  Start();
  json big = Init();
  big["params"]["padding"] = std::string(100 * 1024, 'x');
  EXPECT_EQ(PostJson(port_, big).status, 413);
  // The limit is announced by Content-Length: a lying client is refused before sending.
  std::string lie = BuildRequest("POST", port_, "/mcp",
                                 {{"Content-Type", "application/json"}, {"Content-Length", "99999999"}},
                                 "");
  EXPECT_EQ(SendRaw(port_, lie, 3000).status, 413);
}

TEST_F(HttpTransportTest, InvalidJsonGets400ParseError) {
  Start();
  std::string raw = BuildRequest("POST", port_, "/mcp",
                                 {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                                 "{not json");
  HttpReply r = SendRaw(port_, raw);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["code"], -32700);
}

TEST_F(HttpTransportTest, ProgressIsStreamedAsSseBeforeTheResponse) {
  Start();
  std::string sid = Initialize();
  auto h = Session(sid);
  h["Content-Type"] = "application/json";
  h["Accept"] = "application/json, text/event-stream";
  json call = Call(5, "tools/call", {{"name", "progress"}, {"_meta", {{"progressToken", "p"}}}});
  SseConnection sse(port_, BuildRequest("POST", port_, "/mcp", h, call.dump()));
  ASSERT_EQ(sse.status(), 200);
  EXPECT_EQ(sse.headers().at("content-type"), "text/event-stream");
  for (int i = 1; i <= 3; ++i) {
    auto m = sse.NextMessage(5000);
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["method"], "notifications/progress");
  }
  auto response = sse.NextMessage(5000);
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["id"], 5);
}

TEST_F(HttpTransportTest, GetWithLastEventIdReplaysWhatTheStreamMissed) {
  Start();
  std::string sid = Initialize();
  auto h = Session(sid);
  h["Content-Type"] = "application/json";
  h["Accept"] = "application/json, text/event-stream";
  std::string last_id;
  {
    SseConnection sse(port_, BuildRequest("POST", port_, "/mcp", h,
                                          Call(7, "tools/call", {{"name", "reconnect"}}).dump()));
    ASSERT_EQ(sse.status(), 200);
    auto priming = sse.Next(5000);
    ASSERT_TRUE(priming);
    EXPECT_TRUE(priming->data.empty());
    last_id = priming->id;
    EXPECT_FALSE(sse.NextMessage(2000)) << "the server closed the stream mid-call";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the result is ready now
  auto g = Session(sid);
  g["Accept"] = "text/event-stream";
  g["Last-Event-ID"] = last_id;
  SseConnection resumed(port_, BuildRequest("GET", port_, "/mcp", g, ""));
  ASSERT_EQ(resumed.status(), 200);
  auto response = resumed.NextMessage(5000);
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["id"], 7);
  EXPECT_EQ((*response)["result"]["structuredContent"]["after"], "reconnect");
}

TEST_F(HttpTransportTest, OpenSseStreamsDoNotStarvePosts) {
  Start();  // 8 workers, at most 3 GET streams and 4 POSTs in flight
  std::vector<std::unique_ptr<SseConnection>> streams;
  for (int i = 0; i < 3; ++i) {  // one standalone stream per session (a new one replaces it)
    auto g = Session(Initialize());
    g["Accept"] = "text/event-stream";
    streams.push_back(std::make_unique<SseConnection>(port_, BuildRequest("GET", port_, "/mcp", g, "")));
    ASSERT_EQ(streams.back()->status(), 200);
  }
  std::string sid = Initialize();
  auto g = Session(sid);
  g["Accept"] = "text/event-stream";
  HttpReply extra = SendRaw(port_, BuildRequest("GET", port_, "/mcp", g, ""), 3000);
  EXPECT_EQ(extra.status, 503);
  EXPECT_FALSE(extra.Header("retry-after").empty());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(PostJson(port_, Call(10 + i, "tools/list"), Session(sid)).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpTransportTest, ModernDiscoverIsServedStatelessly) {
  Start();
  json body = Call(1, "server/discover", {{"_meta", ModernMeta()}});
  HttpReply r = Modern(body, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "server/discover"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json result = r.Json()["result"];
  EXPECT_EQ(result["resultType"], "complete");
  EXPECT_EQ(result["supportedVersions"][0], "2026-07-28");
  EXPECT_TRUE(result.contains("ttlMs"));
  EXPECT_TRUE(r.Header("mcp-session-id").empty());
  json call = Call(2, "tools/call", {{"name", "echo"}, {"_meta", ModernMeta()}});
  HttpReply c = Modern(call, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"},
                              {"Mcp-Name", " echo "}});
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.Json()["result"]["resultType"], "complete");
}

TEST_F(HttpTransportTest, ModernErrorsCarryTheirHttpStatus) {
  Start();
  struct Case {
    std::string name;
    json body;
    std::map<std::string, std::string> headers;
    int status, code;
  };
  const std::map<std::string, std::string> ok = {{"MCP-Protocol-Version", "2026-07-28"},
                                                 {"Mcp-Method", "tools/list"}};
  std::vector<Case> cases = {
      {"missing _meta", Call(1, "tools/list", json::object()), ok, 400, -32602},
      {"method header mismatch", Call(2, "tools/list", {{"_meta", ModernMeta()}}),
       {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "prompts/list"}}, 400, -32020},
      {"version header mismatch", Call(3, "tools/list", {{"_meta", ModernMeta()}}),
       {{"MCP-Protocol-Version", "2025-11-25"}, {"Mcp-Method", "tools/list"}}, 400, -32020},
      {"unsupported version", Call(4, "tools/list", {{"_meta", ModernMeta("2099-01-01")}}),
       {{"MCP-Protocol-Version", "2099-01-01"}, {"Mcp-Method", "tools/list"}}, 400, -32022},
      {"name header missing", Call(5, "tools/call", {{"name", "echo"}, {"_meta", ModernMeta()}}),
       {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}}, 400, -32020},
      {"unknown method", Call(6, "nope/nothing", {{"_meta", ModernMeta()}}),
       {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "nope/nothing"}}, 404, -32601},
      {"removed method", Call(7, "ping", {{"_meta", ModernMeta()}}),
       {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "ping"}}, 404, -32601},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpReply r = Modern(c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.Json()["error"]["code"], c.code) << r.body;
    EXPECT_EQ(r.Json()["id"], c.body["id"]) << r.body;
  }
}

TEST_F(HttpTransportTest, BothErasOnOneEndpoint) {
  Start();
  for (const char* v : {"2025-03-26", "2025-06-18", "2025-11-25"}) {
    SCOPED_TRACE(v);
    std::string sid = Initialize(v);
    HttpReply r = PostJson(port_, Call(2, "tools/call", {{"name", "echo"}}), Session(sid, v));
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.Json()["result"].contains("resultType"));
    EXPECT_EQ(r.Json()["result"].contains("structuredContent"), std::string(v) >= "2025-06-18");
  }
}

}  // namespace
}  // namespace baton
