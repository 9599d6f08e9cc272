#include "transport/jsonrpc.h"

#include <gtest/gtest.h>

namespace baton::transport {
namespace {

using nlohmann::json;

TEST(JsonRpcTest, ClassifiesMessagesAndRejectsMalformedOnes) {
  struct Case {
    const char* line;
    bool ok;
    Message::Kind kind;
    int error_code;  // when !ok
    json id;         // expected id of the message or its error response
  };
  const Case kCases[] = {
      {R"({"jsonrpc":"2.0","id":1,"method":"ping"})", true, Message::Kind::kRequest, 0, 1},
      {R"({"jsonrpc":"2.0","id":"a","method":"ping","params":{}})", true, Message::Kind::kRequest, 0, "a"},
      {R"({"jsonrpc":"2.0","method":"notifications/initialized"})", true, Message::Kind::kNotification, 0, nullptr},
      {R"({"jsonrpc":"2.0","id":7,"result":{}})", true, Message::Kind::kResponse, 0, 7},
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", false, {}, kInvalidRequest, 1},
      {R"({"id":1,"method":"ping"})", false, {}, kInvalidRequest, 1},
      {R"({"jsonrpc":"2.0","id":1,"method":5})", false, {}, kInvalidRequest, 1},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", false, {}, kInvalidRequest, nullptr},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", false, {}, kInvalidRequest, nullptr},
      {R"({"jsonrpc":"2.0","id":2,"method":"ping","params":"x"})", false, {}, kInvalidRequest, 2},
      {R"({"jsonrpc":"2.0","id":3})", false, {}, kInvalidRequest, 3},
      {R"([1,2])", true, {}, 0, nullptr},  // a batch: checked below
      {R"(42)", false, {}, kInvalidRequest, nullptr},
      {R"({"jsonrpc":"2.0",)", false, {}, kParseError, nullptr},
      {"\xff\xfe{}", false, {}, kParseError, nullptr},
      {R"([])", false, {}, kInvalidRequest, nullptr},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.line);
    ParsedLine p = ParseLine(c.line);
    ASSERT_FALSE(p.items.empty());
    if (p.is_batch) continue;
    const Incoming& in = p.items.front();
    EXPECT_EQ(in.ok, c.ok);
    if (c.ok) {
      EXPECT_EQ(in.message.kind, c.kind);
      EXPECT_EQ(in.message.id, c.id);
    } else {
      EXPECT_EQ(in.error["error"]["code"], c.error_code);
      EXPECT_EQ(in.error["id"], c.id);
      EXPECT_EQ(in.error["jsonrpc"], "2.0");
    }
  }
}

TEST(JsonRpcTest, BatchElementsAreClassifiedOneByOne) {
  ParsedLine p = ParseLine(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}, 5, {"jsonrpc":"2.0","method":"x"}])");
  ASSERT_TRUE(p.is_batch);
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_TRUE(p.items[0].ok);
  EXPECT_FALSE(p.items[1].ok);
  EXPECT_EQ(p.items[1].error["error"]["code"], kInvalidRequest);
  EXPECT_EQ(p.items[2].message.kind, Message::Kind::kNotification);
}

TEST(JsonRpcTest, TooDeepLineIsAParseErrorNamingTheLimit) {
  ParsedLine p = ParseLine(std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_FALSE(p.is_batch);
  EXPECT_FALSE(p.items[0].ok);
  EXPECT_EQ(p.items[0].error["error"]["code"], kParseError);
  EXPECT_NE(p.items[0].error["error"]["message"].get<std::string>().find("deeper than 128 levels"),
            std::string::npos);
}

TEST(JsonRpcTest, SerializeReplacesInvalidUtf8InsteadOfThrowing) {
  json m = MakeResult(1, {{"text", std::string("ok \xff")}});
  std::string s = Serialize(m);
  EXPECT_NE(s.find("ok"), std::string::npos);
  EXPECT_FALSE(json::parse(s, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace baton::transport
