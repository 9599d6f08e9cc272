// A corpus of malformed input: each line gets the right JSON-RPC error and the session goes on.
#include <gtest/gtest.h>

#include "tests/e2e/mcp_client.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

TEST(BadInputTest, EachMalformedLineGetsTheRightErrorAndTheSessionContinues) {
  TempDir dir;
  McpClient c(dir.File("baton.db"), {}, {"--runner-idle-exit", "3"});
  c.Initialize("2025-06-18");
  struct Case { std::string line; int code; };
  const std::vector<Case> kCases = {
      {"{", -32700},
      {"not json at all", -32700},
      {std::string("\x00\x01\x02\xff\xfe binary", sizeof("\x00\x01\x02\xff\xfe binary") - 1), -32700},
      {"\"just a string\"", -32600},
      {"42", -32600},
      {"[]", -32600},
      {"[1, 2, 3]", -32600},  // batches need 2025-03-26
      {R"({"id":1,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":2,"method":42})", -32600},
      {R"({"jsonrpc":"2.0","id":3,"method":"ping","params":"x"})", -32600},
      {R"({"jsonrpc":"2.0","id":4,"method":"no/such/method"})", -32601},
      {R"({"jsonrpc":"2.0","id":5,"method":"tools/call"})", -32602},
      {R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":7}})", -32602},
      {R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"enqueue","arguments":"x"}})", -32602},
      {R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"drop_tables"}})", -32602},
      // Nested 100,000 deep: refused before parsing (it used to stop the front-end answering).
      {std::string(100000, '[') + std::string(100000, ']'), -32700},
      {"{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\",\"params\":{\"x\":" +
           std::string(100000, '{'), -32700},
      {std::string(10 * 1024 * 1024, 'a'), -32600},  // a 10 MB line
      {"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":{\"x\":\"" +
           std::string(6 * 1024 * 1024, 'b') + "\"}}", -32600},
  };
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.line.substr(0, 80));
    c.SendLine(k.line);
    json r = c.ReadResponse(20000);
    ASSERT_FALSE(r.is_null()) << "no answer";
    EXPECT_EQ(r["jsonrpc"], "2.0");
    ASSERT_TRUE(r.contains("error")) << r.dump().substr(0, 300);
    EXPECT_EQ(r["error"]["code"], k.code) << r.dump().substr(0, 300);
    EXPECT_FALSE(r["error"]["message"].get<std::string>().empty());
    // The session is still alive and answers in order.
    json p = c.Request("ping", json::object(), 10000);
    ASSERT_TRUE(p.contains("result")) << p.dump();
  }
  // Tool-level bad input is a tool error, not a protocol error.
  json r = c.CallTool("enqueue", {{"command", {1, 2}}});
  EXPECT_EQ(r["isError"], true);
  EXPECT_TRUE(c.process().Wait(0) == std::nullopt) << "the server is still running";
}

}  // namespace
}  // namespace baton::testing
