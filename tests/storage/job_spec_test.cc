#include "storage/job_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace baton {
namespace {

using nlohmann::json;

TEST(JobSpecTest, ErrorsNameTheFieldAndTheFix) {
  struct Case { const char* spec; const char* needle; };
  const Case kCases[] = {
      {R"({})", "`command` is required"},
      {R"({"command":"make test"})", "not a string (no shell"},
      {R"({"command":[]})", "non-empty array"},
      {R"({"command":["a", 3]})", "`command[1]` must be a string"},
      {R"({"command":["a"],"commnd":1})", "`commnd` is not a job option"},
      {R"({"command":["a"],"cwd":"/no/such/dir"})", "is not an existing directory"},
      {R"({"command":["a"],"env":{"1X":"v"}})", "invalid variable name"},
      {R"({"command":["a"],"env":{"X":1}})", "`env.X` must be a string"},
      {R"({"command":["a"],"queue":"a b"})", "`queue` must be 1-64"},
      {R"({"command":["a"],"priority":1.5})", "`priority` must be an integer"},
      {R"({"command":["a"],"delay_seconds":-1})", "`delay_seconds` must be a number of seconds from 0"},
      {R"({"command":["a"],"delay_seconds":1,"run_at":"2026-01-01T00:00:00Z"})", "exclude each other"},
      {R"({"command":["a"],"run_at":"tomorrow"})", "RFC 3339"},
      {R"({"command":["a"],"retry":{"max_attempts":0}})", "`retry.max_attempts`"},
      {R"({"command":["a"],"retry":{"tries":2}})", "`retry.tries` is not a retry option"},
      {R"({"command":["a"],"retry":{"retry_on":["sometimes"]}})", "`retry.retry_on`"},
      {R"({"command":["a"],"depends_on":[0]})", "`depends_on[0]` must be a positive job id"},
      {R"({"command":["a"],"depends_on":[{"job":1,"condition":"maybe"}]})", "`depends_on[0].condition`"},
      {R"({"command":["a"],"depends_on":[2,2]})", "repeats job 2"},
      {R"({"command":["a"],"timeout_seconds":"10"})", "`timeout_seconds` must be a number"},
      {R"({"command":["a"],"verify":["make","test"]})", "`verify` must be an object"},
      {R"({"command":["a"],"verify":{}})", "`verify.command` is required"},
      {R"({"command":["a"],"verify":{"command":[]}})", "`verify.command` must be a non-empty array"},
      {R"({"command":["a"],"verify":{"command":"make test"}})", "`verify.command` must be an argv array"},
      {R"({"command":["a"],"verify":{"command":["make",1]}})", "`verify.command[1]` must be a string"},
      {R"({"command":["a"],"verify":{"command":["", "x"]}})", "`verify.command[0]` must name a program"},
      {R"({"command":["a"],"verify":{"command":["t"],"timeout_seconds":0}})",
       "`verify.timeout_seconds` must be a number of seconds greater than 0"},
      {R"({"command":["a"],"verify":{"command":["t"],"timeout_seconds":1e9}})",
       "`verify.timeout_seconds` must be a number of seconds greater than 0 and at most 604800"},
      {R"({"command":["a"],"verify":{"command":["t"],"timeout":5}})",
       "`verify.timeout` is not a verify option (did you mean"},
  };
  SpecContext ctx{"/tmp", 1000};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.spec);
    auto r = ParseJobSpec(json::parse(c.spec), ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status().message();
  }
}

TEST(JobSpecTest, NormalizesAndRoundTrips) {
  SpecContext ctx{"/tmp", 1000000};
  json in = {{"command", {"make", "test"}},
             {"cwd", "."},
             {"env", {{"A", "1"}}},
             {"stdin", "hi"},
             {"queue", "ci"},
             {"priority", 5},
             {"delay_seconds", 2.5},
             {"timeout_seconds", 60},
             {"retry", {{"max_attempts", 3}, {"jitter", "none"}, {"retry_on", {"timeout", 2}}}},
             {"idempotency_key", "k"},
             {"depends_on", {4, {{"job", 5}, {"condition", "always"}}}},
             {"labels", {{"team", "x"}}},
             {"name", "build"}};
  auto spec = ParseJobSpec(in, ctx);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->cwd, "/tmp");
  EXPECT_EQ(spec->run_at_ms, 1002500);
  EXPECT_EQ(spec->retry.max_attempts, 3);
  EXPECT_FALSE(spec->retry.on_nonzero);
  EXPECT_EQ(spec->retry.exit_codes, std::vector<int>{2});
  ASSERT_EQ(spec->depends_on.size(), 2u);
  EXPECT_EQ(spec->depends_on[1].condition, DepCondition::kAlways);
  auto again = ParseJobSpec(JobSpecToJson(*spec), ctx);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(JobSpecToJson(*again), JobSpecToJson(*spec));
}

TEST(JobSpecTest, VerifyRoundTripsWithItsDefaultTimeoutAndRetryOnVerifyFailed) {
  SpecContext ctx{"/tmp", 0};
  auto spec = ParseJobSpec({{"command", {"make"}}, {"verify", {{"command", {"make", "test"}}}}}, ctx);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_TRUE(spec->verify.has_value());
  EXPECT_EQ(spec->verify->command, (std::vector<std::string>{"make", "test"}));
  EXPECT_EQ(spec->verify->timeout_s, kDefaultVerifyTimeoutSeconds);
  EXPECT_TRUE(spec->retry.on_verify_failed);  // retried by default (when attempts are left)
  auto again = ParseJobSpec(JobSpecToJson(*spec), ctx);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(JobSpecToJson(*again), JobSpecToJson(*spec));

  struct Case { json retry_on; bool retried; };
  const Case kCases[] = {{{"nonzero"}, true}, {{"verify_failed"}, true}, {{"timeout"}, false}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.retry_on.dump());
    auto r = ParseJobSpec({{"command", {"a"}}, {"retry", {{"retry_on", c.retry_on}}}}, ctx);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->retry.on_verify_failed, c.retried);
    auto back = ParseJobSpec(JobSpecToJson(*r), ctx);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->retry.on_verify_failed, c.retried);
  }
}

}  // namespace
}  // namespace baton
