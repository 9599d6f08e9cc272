// `baton serve --http` and deeply nested JSON (issue 14 item 2): a 60 KB body nested 30,000 deep on
// the 2026-07-28 path used to overflow the stack and kill the server and its in-process runner. It
// is now refused before parsing with a parse error that names the depth limit, and the server goes on.
#include <gtest/gtest.h>

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
using testing::PostJson;

json Meta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", json::object()},
          {"io.modelcontextprotocol/clientInfo", {{"name", "e2e"}, {"version", "1"}}}};
}

std::map<std::string, std::string> ModernHeaders() {
  return {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"},
          {"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
}

TEST(DeepJsonHttpTest, ThirtyThousandDeepBodyIsAParseErrorAndTheServerGoesOn) {
  testing::TempDir dir;
  int port = testing::FreeLoopbackPort();
  testing::Subprocess server(
      {testing::BatonBinary(), "serve", "--http", "127.0.0.1:" + std::to_string(port), "--db",
       dir.File("baton.db"), "--log-level", "warn"},
      {{"XDG_STATE_HOME", dir.File("state")}, {"HOME", dir.path()}});
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = testing::SendRaw(port, BuildRequest("GET", port, "/health", {}, ""), 500).status != 0;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << server.Stderr();

  const int kDepth = 30000;
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":)" +
                     std::string(kDepth, '[') + std::string(kDepth, ']') + "}}";
  auto deep = testing::SendRaw(port, BuildRequest("POST", port, "/mcp", ModernHeaders(), body));
  ASSERT_NE(deep.status, 0) << "no answer; server stderr: " << server.Stderr();
  json err = deep.Json();
  ASSERT_TRUE(err.is_object()) << deep.body;
  EXPECT_EQ(err["error"]["code"], -32700) << deep.body;
  EXPECT_NE(err["error"]["message"].get<std::string>().find("deeper than 128 levels"),
            std::string::npos)
      << deep.body;

  // The server (and the runner in it) is still alive and answers the same request, shallow.
  EXPECT_EQ(server.Wait(0), std::nullopt) << server.Stderr();
  json list = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"},
               {"params", {{"_meta", Meta()}}}};
  auto ok = PostJson(port, list, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("\"tools\""), std::string::npos) << ok.body;
}

}  // namespace
}  // namespace baton
