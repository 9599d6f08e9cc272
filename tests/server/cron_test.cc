#include "server/jobs/cron.h"

#include <gtest/gtest.h>

#include "base/rfc3339.h"

namespace baton {
namespace {

int64_t Ms(const char* rfc3339) { return *ParseRfc3339Ns(rfc3339) / 1000000; }

TEST(CronExprTest, NextFiringTable) {
  struct Case { const char* cron; const char* tz; const char* after; const char* next; };
  const Case kCases[] = {
      {"*/15 * * * *", "UTC", "2026-11-24T09:31:00Z", "2026-11-24T09:45:00Z"},
      {"*/15 * * * *", "UTC", "2026-11-24T09:44:59.999Z", "2026-11-24T09:45:00Z"},
      {"*/15 * * * *", "UTC", "2026-11-24T09:45:00Z", "2026-11-24T10:00:00Z"},  // strictly after
      {"0 3 * * *", "UTC", "2026-11-24T09:31:00Z", "2026-11-25T03:00:00Z"},
      {"30 9 * * mon-fri", "UTC", "2026-11-24T09:31:00Z", "2026-11-25T09:30:00Z"},
      {"0 0 1 * *", "UTC", "2026-11-24T09:31:00Z", "2026-12-01T00:00:00Z"},
      {"0 12 * * sun", "UTC", "2026-11-24T09:31:00Z", "2026-11-29T12:00:00Z"},
      {"5 4 * * 7", "UTC", "2026-11-24T09:31:00Z", "2026-11-29T04:05:00Z"},  // 7 = Sunday
      {"0 0 29 2 *", "UTC", "2026-11-24T09:31:00Z", "2028-02-29T00:00:00Z"},
      {"0 0 13 * 5", "UTC", "2026-11-24T09:31:00Z", "2026-11-27T00:00:00Z"},  // 13th OR Friday
      {"0 9-17/4 * jan,dec *", "UTC", "2026-11-24T09:31:00Z", "2026-12-01T09:00:00Z"},
      // Zones: 09:00 in Paris (CET, UTC+1) is 08:00Z; New York in summer is UTC-4.
      {"0 9 * * *", "Europe/Paris", "2026-11-24T09:31:00Z", "2026-11-25T08:00:00Z"},
      {"0 9 * * *", "America/New_York", "2026-06-30T20:00:00Z", "2026-07-01T13:00:00Z"},
      // 02:30 does not exist in Paris on 2027-03-28 (clocks jump 02:00 -> 03:00): skipped.
      {"30 2 * * *", "Europe/Paris", "2027-03-27T12:00:00Z", "2027-03-29T00:30:00Z"},
      // 02:30 happens twice on 2026-10-25 (03:00 CEST -> 02:00 CET): it fires once, the first time.
      {"30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
      {"30 2 * * *", "Europe/Paris", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
      {"0 9 1 7 *", "Australia/Sydney", "2031-01-01T00:00:00Z", "2031-06-30T23:00:00Z"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.cron) + " " + c.tz + " after " + c.after);
    auto cron = CronExpr::Parse(c.cron);
    ASSERT_TRUE(cron.ok()) << cron.status().ToString();
    auto next = cron->Next(Ms(c.after), c.tz);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(FormatRfc3339Ms(*next), FormatRfc3339Ms(Ms(c.next)));
  }
}

TEST(CronExprTest, ErrorsNameTheFieldAndTheSyntax) {
  struct Case { const char* cron; const char* mentions; };
  const Case kCases[] = {
      {"* * * *", "4 fields"},
      {"60 * * * *", "minute"},
      {"*/0 * * * *", "step"},
      {"5-1 * * * *", "backwards"},
      {"* * * foo *", "month"},
      {"* 24 * * *", "hour"},
      {"* * 0 * *", "day-of-month"},
      {"* * * * 8", "day-of-week"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.cron);
    auto cron = CronExpr::Parse(c.cron);
    ASSERT_FALSE(cron.ok());
    EXPECT_EQ(cron.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cron.status().message().find(c.mentions), std::string::npos)
        << cron.status().message();
  }
  EXPECT_EQ(CronExpr::Parse("0 0 30 2 *")->Next(0, "UTC").status().code(), StatusCode::kNotFound);
}

TEST(CronExprTest, TimeZonesComeFromTheSystemDatabase) {
  EXPECT_TRUE(ValidateTimeZone("UTC").ok());
  EXPECT_TRUE(ValidateTimeZone("Europe/Paris").ok());
  EXPECT_FALSE(ValidateTimeZone("Mars/Olympus").ok());
  EXPECT_FALSE(ValidateTimeZone("../../etc/passwd").ok());
  EXPECT_FALSE(ValidateTimeZone("").ok());
}

}  // namespace
}  // namespace baton
