#include "base/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace baton {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonParseTest, DepthAtTheLimitParses) {
  auto j = ParseJson(Nested(kMaxJsonDepth));
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_TRUE(j->is_array());
  EXPECT_TRUE(JsonDepthWithin(R"({"a":[{"b":1}]})", 3));
}

TEST(JsonParseTest, OneLevelPastTheLimitIsRefusedNamingTheLimit) {
  auto j = ParseJson(Nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(j.status().message(), "JSON nested deeper than 128 levels");
  EXPECT_TRUE(ParseJsonOrDiscarded(Nested(kMaxJsonDepth + 1)).is_discarded());
  EXPECT_FALSE(JsonDepthWithin(R"({"a":[{"b":1}]})", 2));
}

TEST(JsonParseTest, HundredThousandDeepIsRefusedWithoutParsing) {
  EXPECT_FALSE(ParseJson(Nested(100000)).ok());
  EXPECT_FALSE(ParseJson(std::string(100000, '{')).ok());  // unbalanced too
}

TEST(JsonParseTest, BracketsInsideStringsAreNotCounted) {
  std::string s = "[\"" + std::string(1000, '[') + std::string(1000, '{') + "\"]";
  auto j = ParseJson(s);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)[0].get<std::string>().size(), 2000u);
}

TEST(JsonParseTest, EscapedQuotesDoNotEndTheString) {
  // \" keeps the string open, so the brackets after it are still inside it.
  std::string s = R"(["a\")" + std::string(500, '[') + R"("])";
  ASSERT_TRUE(JsonDepthWithin(s, 1));
  EXPECT_TRUE(ParseJson(s).ok());
  // \\ is an escaped backslash: the quote after it does end the string.
  std::string t = R"(["a\\",)" + Nested(3) + "]";
  EXPECT_TRUE(JsonDepthWithin(t, 4));
  EXPECT_FALSE(JsonDepthWithin(t, 3));
}

TEST(JsonParseTest, CommentsAreSkippedOnlyWhenAllowed) {
  std::string s = "{ // [[[[\n \"a\": 1 /* {{{{ */ }";
  EXPECT_TRUE(JsonDepthWithin(s, 1, /*skip_comments=*/true));
  EXPECT_FALSE(JsonDepthWithin(s, 1));
  EXPECT_TRUE(ParseJson(s, /*ignore_comments=*/true).ok());
}

TEST(JsonParseTest, InvalidJsonIsAnErrorNotAnException) {
  auto j = ParseJson("{");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("invalid JSON"), std::string::npos);
  EXPECT_TRUE(ParseJsonOrDiscarded("nope").is_discarded());
}

}  // namespace
}  // namespace baton
