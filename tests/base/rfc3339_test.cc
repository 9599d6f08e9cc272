#include "base/rfc3339.h"

#include <gtest/gtest.h>

#include <limits>

namespace baton {
namespace {

TEST(Rfc3339Test, ParsesUtcOffsetsAndFractions) {
  struct Case { const char* text; std::optional<int64_t> ns; };
  const Case kCases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:01.5Z", 1500000000},
      {"2026-11-24T10:32:00+01:00", 1795512720LL * 1000000000},
      {"2024-02-29T00:00:00Z", 1709164800LL * 1000000000},
      {"2023-02-29T00:00:00Z", std::nullopt},
      {"2026-11-24 10:32:00", std::nullopt},
      {"garbage", std::nullopt},
      {"2026-13-01T00:00:00Z", std::nullopt},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseRfc3339Ns(c.text), c.ns);
  }
}

// Seconds x 1e9 used to overflow: 9999-12-31 came back as a date in 1816 (and ran at once).
TEST(Rfc3339Test, TimesOutsideInt64NanosecondsAreRejectedNotWrapped) {
  struct Case { const char* text; std::optional<int64_t> ns; };
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const Case kCases[] = {
      {"2262-04-11T23:47:16.854775807Z", kMax},
      {"2262-04-11T23:47:16.854775808Z", std::nullopt},
      {"2262-04-11T23:47:17Z", std::nullopt},
      {"9999-12-31T23:59:59Z", std::nullopt},
      {"1677-09-21T00:12:43.145224192Z", kMin},
      {"1677-09-21T00:12:43.145224191Z", std::nullopt},
      {"0000-01-01T00:00:00Z", std::nullopt},
      {"2262-04-11T23:00:00-01:00", std::nullopt},  // 2262-04-12T00:00:00Z, past the end
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseRfc3339Ns(c.text), c.ns);
  }
  auto r = ParseRfc3339("9999-12-31T23:59:59Z");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2262-04-11T23:47:16"), std::string::npos)
      << r.status().message();
  EXPECT_NE(ParseRfc3339("soon").status().message().find("not an RFC 3339"), std::string::npos);
}

TEST(Rfc3339Test, FormatRoundTrips) {
  int64_t ms = 1795511520250;
  EXPECT_EQ(FormatRfc3339Ms(ms), "2026-11-24T09:12:00.250Z");
  EXPECT_EQ(ParseRfc3339Ns(FormatRfc3339Ms(ms)), ms * 1000000);
}

}  // namespace
}  // namespace baton
