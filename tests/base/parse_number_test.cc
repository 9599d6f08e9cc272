#include "base/parse_number.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(ParseNumberTest, Int64AcceptsOnlyAWholeDecimalIntegerInRange) {
  struct Case { const char* text; int64_t min, max; std::optional<int64_t> want; };
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const Case kCases[] = {
      {"0", kMin, kMax, 0},
      {"-1000", -1000, 1000, -1000},
      {"1000", -1000, 1000, 1000},
      {"1001", -1000, 1000, std::nullopt},
      {"-1001", -1000, 1000, std::nullopt},
      {"9223372036854775807", kMin, kMax, kMax},
      {"9223372036854775808", kMin, kMax, std::nullopt},  // overflow, not a wrap
      {"18446744073709551615", kMin, kMax, std::nullopt},
      {"-9223372036854775808", kMin, kMax, kMin},
      {"abc", kMin, kMax, std::nullopt},  // atoi gave 0
      {"", kMin, kMax, std::nullopt},
      {"12abc", kMin, kMax, std::nullopt},  // atoi gave 12
      {" 12", kMin, kMax, std::nullopt},
      {"12 ", kMin, kMax, std::nullopt},
      {"+12", kMin, kMax, std::nullopt},
      {"0x10", kMin, kMax, std::nullopt},
      {"1.5", kMin, kMax, std::nullopt},
      {"1e3", kMin, kMax, std::nullopt},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    auto r = ParseInt64(c.text, "--n", c.min, c.max);
    ASSERT_EQ(r.ok(), c.want.has_value()) << r.status().ToString();
    if (c.want) EXPECT_EQ(*r, *c.want);
  }
}

TEST(ParseNumberTest, DoubleRejectsJunkInfinityAndNan) {
  struct Case { const char* text; std::optional<double> want; };
  const Case kCases[] = {
      {"30", 30}, {"0.5", 0.5}, {"1e3", 1000}, {"-2", std::nullopt} /* below min 0 */,
      {"inf", std::nullopt}, {"nan", std::nullopt}, {"1e999", std::nullopt}, {"5s", std::nullopt},
      {"", std::nullopt}, {"abc", std::nullopt}, {"604800", 604800}, {"604800.1", std::nullopt},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    auto r = ParseDouble(c.text, "--timeout", 0, 604800);
    ASSERT_EQ(r.ok(), c.want.has_value()) << r.status().ToString();
    if (c.want) EXPECT_EQ(*r, *c.want);
  }
}

TEST(ParseNumberTest, ErrorsNameWhatTheRangeAndTheText) {
  auto r = ParseInt64("abc", "--priority", -1000, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "--priority must be an integer from -1000 to 1000, got \"abc\"");
  auto d = ParseDouble("soon", "--delay", 0, 60);
  EXPECT_EQ(d.status().message(), "--delay must be a number from 0 to 60, got \"soon\"");
  auto id = ParseInt64("-3", "the job id", 1);
  EXPECT_EQ(id.status().message(), "the job id must be an integer of at least 1, got \"-3\"");
}

}  // namespace
}  // namespace baton
