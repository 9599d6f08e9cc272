#include "transport/http_auth.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace baton::transport {
namespace {

TEST(HttpAuthTest, TokensFileMapsTokensToPrincipals) {
  baton::testing::TempDir dir;
  baton::testing::WriteFile(dir.File("tokens"),
                            "# team tokens\nalice 0123456789abcdef0123\n\nbob fedcba9876543210fedc\n");
  auto t = BearerTokens::ParseFile(dir.File("tokens"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->PrincipalFor("0123456789abcdef0123"), "alice");
  EXPECT_EQ(t->PrincipalFor("fedcba9876543210fedc"), "bob");
  EXPECT_EQ(t->PrincipalFor("0123456789abcdef012"), "");
}

TEST(HttpAuthTest, ShortTokensAndMalformedLinesAreRejected) {
  EXPECT_FALSE(BearerTokens::ParseEnv("alice=short").ok());
  EXPECT_FALSE(BearerTokens::ParseEnv("no-equals-sign").ok());
  auto t = BearerTokens::ParseEnv("alice=0123456789abcdef0123, bob=fedcba9876543210fedc");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 2u);
}

TEST(HttpAuthTest, OriginAndHostRules) {
  HttpAccess open({});
  struct Case {
    std::string host, origin;
    int status;
  };
  const Case kCases[] = {
      {"127.0.0.1:7878", "", 200},
      {"localhost:7878", "http://localhost:5173", 200},
      {"[::1]:7878", "https://127.0.0.1", 200},
      {"evil.example", "", 403},
      {"127.0.0.1:7878", "http://evil.example", 403},
      {"127.0.0.1:7878", "null", 403},
      {"127.0.0.1:7878", "http://localhost.evil.example", 403},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.host + " / " + c.origin);
    EXPECT_EQ(open.Check(c.host, c.origin, "").status, c.status);
  }
}

// DNS rebinding: a name that merely starts with `127.` is a name its owner points anywhere.
TEST(HttpAuthTest, LoopbackNamesAreMatchedExactlyNotByPrefix) {
  HttpAccess open({});
  struct Case {
    std::string host, origin;
    int status;
  };
  const Case kCases[] = {
      {"127.attacker.example:7878", "", 403},
      {"127.attacker.example:7878", "http://127.attacker.example:7878", 403},
      {"127.0.0.1:7878", "http://127.attacker.example:7878", 403},
      {"127.0.0.1.attacker.example", "", 403},
      {"127.1:7878", "", 403},        // shorthand forms are not matched
      {"127.0.0.01:7878", "", 403},   // leading zeros (octal in some resolvers)
      {"127.0.0.256:7878", "", 403},
      {"localhost.:7878", "", 403},
      {"127.0.0.2:7878", "http://127.0.0.2:7878", 200},  // a literal address cannot be rebound
      {"LOCALHOST:7878", "http://localhost", 200},
      {"[::1]:7878", "http://[::1]:7878", 200},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.host + " / " + c.origin);
    EXPECT_EQ(open.Check(c.host, c.origin, "").status, c.status);
  }
  EXPECT_FALSE(IsLoopbackHost("127.attacker.example"));
  EXPECT_TRUE(IsLoopbackHost("127.255.255.254"));
}

TEST(HttpAuthTest, BearerTokenIsRequiredWhenConfigured) {
  AccessOptions o;
  o.tokens.Add("alice", "0123456789abcdef0123");
  HttpAccess access(o);
  EXPECT_EQ(access.Check("127.0.0.1", "", "").status, 401);
  EXPECT_EQ(access.Check("127.0.0.1", "", "Basic abc").status, 401);
  auto v = access.Check("127.0.0.1", "", "Bearer 0123456789abcdef0123");
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.principal, "alice");
}

}  // namespace
}  // namespace baton::transport
