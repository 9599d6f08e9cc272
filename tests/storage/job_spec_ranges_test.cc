// Every numeric and time field of a job spec is range-checked where it is parsed: a value outside
// its range is an error naming the field and the range, never a wrapped or truncated number
// (issue 14, item 8: priority 18446744073709551615 was stored as -1, run_at 9999-12-31 as 1816).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "storage/job_options.h"
#include "storage/job_spec.h"

namespace baton {
namespace {

using nlohmann::json;

json Spec(const std::string& field, const json& value) {
  json j = {{"command", {"true"}}};
  if (field.rfind("retry.", 0) == 0) j["retry"] = {{field.substr(6), value}};
  else j[field] = value;
  return j;
}

TEST(JobSpecRangesTest, BoundariesAreAcceptedAndOneBeyondIsRejectedNamingTheField) {
  struct Case { std::string field; json value; bool ok; const char* needle; };
  const std::vector<Case> kCases = {
      {"priority", -1000, true, ""},
      {"priority", 1000, true, ""},
      {"priority", 1001, false, "`priority` must be an integer from -1000 to 1000"},
      {"priority", -1001, false, "`priority` must be an integer from -1000 to 1000"},
      {"priority", json::parse("18446744073709551615"), false, "got 18446744073709551615"},
      {"priority", json::parse("18446744073709551000"), false, "`priority`"},  // wrapped to -616
      {"priority", json::parse("9223372036854775808"), false, "`priority`"},
      {"priority", json::parse("4294967297"), false, "`priority`"},
      {"priority", 1e300, false, "`priority`"},
      {"delay_seconds", 0, true, ""},
      {"delay_seconds", kMaxDelaySeconds, true, ""},
      {"delay_seconds", kMaxDelaySeconds + 1, false, "`delay_seconds` must be a number of seconds from 0 to 31536000"},
      {"delay_seconds", json::parse("18446744073709551615"), false, "`delay_seconds`"},
      {"delay_seconds", -0.001, false, "`delay_seconds`"},
      {"timeout_seconds", kMaxTimeoutSeconds, true, ""},
      {"timeout_seconds", 1e308, false, "`timeout_seconds` must be a number of seconds from 0 to 604800"},
      {"inactivity_timeout_seconds", kMaxTimeoutSeconds + 1, false, "`inactivity_timeout_seconds`"},
      {"run_at", "2262-04-11T23:47:16Z", true, ""},
      {"run_at", "1970-01-01T00:00:00Z", true, ""},
      {"run_at", "2262-04-11T23:47:17Z", false, "`run_at` \"2262-04-11T23:47:17Z\" is outside"},
      {"run_at", "9999-12-31T23:59:59Z", false, "up to 2262-04-11T23:47:16Z"},
      {"run_at", 1795512720, false, "`run_at` must be an RFC 3339 time string"},
      {"run_at", "2026-02-30T00:00:00Z", false, "is not an RFC 3339 date-time"},
      {"retry.max_attempts", 1, true, ""},
      {"retry.max_attempts", kMaxAttemptsLimit, true, ""},
      {"retry.max_attempts", kMaxAttemptsLimit + 1, false, "`retry.max_attempts` must be an integer from 1 to 100"},
      {"retry.max_attempts", json::parse("18446744073709551615"), false, "`retry.max_attempts`"},
      {"retry.max_attempts", json::parse("4294967297"), false, "`retry.max_attempts`"},
      {"retry.initial_delay", kMaxRetryDelaySeconds, true, ""},
      {"retry.initial_delay", kMaxRetryDelaySeconds + 1, false, "`retry.initial_delay` must be a number of seconds from 0 to 86400"},
      {"retry.max_delay", -1, false, "`retry.max_delay`"},
      {"retry.multiplier", 100, true, ""},
      {"retry.multiplier", 100.5, false, "`retry.multiplier` must be a number from 1 to 100"},
      {"retry.multiplier", 0.5, false, "`retry.multiplier`"},
      {"retry.retry_on", json::array({255}), true, ""},
      {"retry.retry_on", json::array({256}), false, "exit codes must be integers from 1 to 255"},
      {"retry.retry_on", json::array({json::parse("18446744073709551615")}), false, "`retry.retry_on`"},
      {"retry.retry_on", json::array({2.5}), false, "`retry.retry_on`"},
      {"depends_on", json::array({1}), true, ""},
      {"depends_on", json::array({json::parse("9223372036854775807")}), true, ""},
      {"depends_on", json::array({-1}), false, "`depends_on[0]` must be a positive job id"},
      {"depends_on", json::array({0}), false, "`depends_on[0]`"},
      {"depends_on", json::array({json::parse("18446744073709551615")}), false, "`depends_on[0]`"},
      {"depends_on", json::array({{{"job", -5}}}), false, "`depends_on[0]` must be a positive job id (an integer returned by enqueue), got -5"},
      {"depends_on", json::array({1.5}), false, "`depends_on[0]`"},
      {"stdin", std::string(kMaxStdinBytes, 'x'), true, ""},
      {"stdin", std::string(kMaxStdinBytes + 1, 'x'), false, "`stdin` is 1048577 bytes; the limit is 1048576"},
  };
  SpecContext ctx{"/tmp", 1000};
  for (const Case& c : kCases) {
    json spec = Spec(c.field, c.value);
    SCOPED_TRACE(spec.dump().substr(0, 200));
    auto r = ParseJobSpec(spec, ctx);
    ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? "accepted" : r.status().message());
    if (c.ok) continue;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status().message();
  }
}

TEST(JobSpecRangesTest, AcceptedValuesAreStoredExactly) {
  SpecContext ctx{"/tmp", 0};
  auto s = ParseJobSpec({{"command", {"true"}}, {"priority", -1000},
                         {"run_at", "2262-04-11T23:47:16.854Z"}}, ctx);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->priority, -1000);
  EXPECT_EQ(s->run_at_ms, 9223372036854LL);
  auto again = ParseJobSpec(JobSpecToJson(*s), ctx);  // what the store reads back
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->run_at_ms, s->run_at_ms);
}

TEST(JobSpecRangesTest, DependsOnAtMostKMaxDependsOnIdsCheckedBeforeAnyId) {
  SpecContext ctx{"/tmp", 0};
  json ids = json::array();
  for (int i = 1; i <= kMaxDependsOn; ++i) ids.push_back(i);
  EXPECT_TRUE(ParseJobSpec({{"command", {"true"}}, {"depends_on", ids}}, ctx).ok());
  ids.push_back(kMaxDependsOn + 1);
  auto r = ParseJobSpec({{"command", {"true"}}, {"depends_on", ids}}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("`depends_on` may list at most 1000 jobs, got 1001"),
            std::string::npos)
      << r.status().message();
  // A huge list is refused by its size, before the (quadratic) duplicate check runs.
  json many(json::value_t::array);
  for (int i = 0; i < 200000; ++i) many.push_back(1);
  r = ParseJobSpec({{"command", {"true"}}, {"depends_on", many}}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at most 1000"), std::string::npos) << r.status().message();
}

// A stdin stored before the limit existed stays readable: the limit applies to what is sent.
TEST(JobSpecRangesTest, StoredSpecsKeepAnOverLimitStdinReadable) {
  SpecContext ctx{"/tmp", 0};
  ctx.verify_cwd = false;
  ctx.stored = true;
  json spec = {{"command", {"cat"}}, {"stdin", std::string(kMaxStdinBytes + 1, 'x')}};
  EXPECT_TRUE(ParseJobSpec(spec, ctx).ok());
}

}  // namespace
}  // namespace baton
