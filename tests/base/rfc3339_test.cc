#include "base/rfc3339.h"

#include <gtest/gtest.h>

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

TEST(Rfc3339Test, FormatRoundTrips) {
  int64_t ms = 1795511520250;
  EXPECT_EQ(FormatRfc3339Ms(ms), "2026-11-24T09:12:00.250Z");
  EXPECT_EQ(ParseRfc3339Ns(FormatRfc3339Ms(ms)), ms * 1000000);
}

}  // namespace
}  // namespace baton
