// Out-of-range numbers and oversized fields through the real `baton serve --stdio` (policy guard,
// dispatch and job service included): each is a tool error (`isError: true`) naming the field
// and its range, never the JSON-RPC -32603 they used to get, and nothing is enqueued
// (issue 14, item 8). And the CLI: a flag that is not a number is a usage error (exit 2).
#include <gtest/gtest.h>

#include "tests/e2e/mcp_client.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

std::string ToolText(const json& result) {
  if (!result.is_object() || !result.contains("content") || result["content"].empty()) return "";
  return result["content"][0].value("text", "");
}

TEST(OverflowInputTest, OutOfRangeFieldsAreToolErrorsNamingTheFieldNeverInternalErrors) {
  TempDir dir;
  McpClient c(dir.File("baton.db"), {}, {"--runner-idle-exit", "3"});
  c.Initialize("2025-06-18");
  json ids = json::array();
  for (int i = 1; i <= 1001; ++i) ids.push_back(i);
  const std::string big_stdin((1 << 20) + 1, 'x');
  std::string many_outputs;
  for (int i = 0; i < 17; ++i) many_outputs += "{{prev.stdout}}";
  struct Case { std::string tool; json args; std::string needle; };
  const json cmd = {"true"};
  const std::vector<Case> kCases = {
      {"enqueue", {{"command", cmd}, {"depends_on", {-1}}}, "`depends_on[0]` must be a positive job id"},
      {"enqueue", {{"command", cmd}, {"depends_on", {{{"job", -1}}}}}, "`depends_on[0]`"},
      {"enqueue", {{"command", cmd}, {"depends_on", ids}}, "`depends_on` may list at most 1000 jobs"},
      {"enqueue", {{"command", cmd}, {"priority", json::parse("18446744073709551615")}},
       "`priority` must be an integer from -1000 to 1000"},
      {"enqueue", {{"command", cmd}, {"run_at", "9999-12-31T23:59:59Z"}},
       "`run_at` \"9999-12-31T23:59:59Z\" is outside"},
      {"enqueue", {{"command", cmd}, {"stdin", big_stdin}}, "`stdin` is 1048577 bytes; the limit is 1048576"},
      {"enqueue", {{"command", cmd}, {"depends_on", {1}}, {"stdin", many_outputs}},
       "`stdin` could expand to"},
      {"enqueue", {{"command", json::array({"echo", many_outputs})}, {"depends_on", {1}}},
       "`command` and `env` together could expand to"},
      {"enqueue", {{"command", cmd}, {"retry", {{"max_attempts", json::parse("18446744073709551615")}}}},
       "`retry.max_attempts` must be an integer from 1 to 100"},
      {"chain", {{"steps", {{{"command", cmd}}, {{"command", cmd}, {"stdin", big_stdin}}}}},
       "`steps[1].stdin` is 1048577 bytes"},
      {"chain", {{"steps", {{{"command", cmd}, {"priority", json::parse("9223372036854775808")}}}}},
       "`steps[0].priority`"},
      {"chain", {{"steps", {{{"command", cmd}}, {{"command", cmd}, {"stdin", many_outputs}}}}},
       "`steps[1].stdin` could expand"},
      {"schedule", {{"action", "create"}, {"name", "n"}, {"cron", "* * * * *"},
                    {"spec", {{"command", cmd}, {"stdin", big_stdin}}}},
       "`spec.stdin` is 1048577 bytes"},
      {"status", {{"job_id", json::parse("18446744073709551615")}}, "`job_id` must be a positive"},
      {"status", {{"job_id", 1}, {"tail_bytes", json::parse("18446744073709551615")}},
       "`tail_bytes` must be an integer from 0 to 4000"},
      {"jobs", {{"limit", json::parse("4294967297")}}, "`limit` must be an integer from 1 to"},
      {"queue", {{"action", "limit"}, {"queue", "q"}, {"concurrency", json::parse("4294967301")}},
       "`concurrency` must be an integer from 1 to 10000"},
  };
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.tool + " " + k.args.dump().substr(0, 160));
    json r = c.CallTool(k.tool, k.args);  // fails the test on a JSON-RPC error such as -32603
    ASSERT_FALSE(r.is_null());
    EXPECT_EQ(r.value("isError", false), true) << r.dump().substr(0, 300);
    EXPECT_NE(ToolText(r).find(k.needle), std::string::npos) << ToolText(r);
  }
  json listed = c.CallOk("jobs", json::object());
  EXPECT_TRUE(listed["jobs"].empty()) << "a rejected call enqueued a job: " << listed.dump();
  EXPECT_TRUE(c.process().Wait(0) == std::nullopt) << "the server is still running";
}

TEST(OverflowInputTest, CliNumberFlagsThatAreNotNumbersAreUsageErrors) {
  TempDir dir;
  const std::string db = dir.File("cli.db");
  struct Case { std::vector<std::string> args; std::string needle; };
  const std::vector<Case> kCases = {
      {{"enqueue", "--priority", "abc", "--", "true"},
       "--priority must be an integer from -1000 to 1000, got \"abc\""},
      {{"enqueue", "--priority", "18446744073709551615", "--", "true"}, "--priority must be"},
      {{"enqueue", "--max-attempts", "3x", "--", "true"}, "--max-attempts must be an integer from 1 to 100"},
      {{"enqueue", "--timeout", "soon", "--", "true"}, "--timeout must be a number from 0 to"},
      {{"enqueue", "--delay", "1e999", "--", "true"}, "--delay must be a number"},
      {{"enqueue", "--idempotency-window", "-1", "--", "true"}, "--idempotency-window must be"},
      {{"status", "12abc"}, "the job id must be an integer of at least 1, got \"12abc\""},
      {{"jobs", "--limit", "zz"}, "--limit must be an integer"},
      {{"queue", "limit", "q", "4294967301"}, "the queue limit (N or none) must be an integer"},
  };
  for (const Case& k : kCases) {
    // sh -c merges stderr (where the message goes) into what RunCommand captures.
    std::vector<std::string> argv = {"sh", "-c", "\"$@\" 2>&1", "sh", BatonBinary(), k.args[0],
                                     "--db", db};
    argv.insert(argv.end(), k.args.begin() + 1, k.args.end());
    SCOPED_TRACE(argv[5] + " " + argv[8]);
    auto [code, text] = RunCommand(argv, {}, 30000);
    EXPECT_EQ(code, 2) << text;
    EXPECT_NE(text.find(k.needle), std::string::npos) << text;
  }
  // Nothing reached the database: no job was enqueued with a silent 0.
  auto [code, listed] = RunCommand({BatonBinary(), "jobs", "--db", db});
  EXPECT_EQ(code, 0) << listed;
  EXPECT_EQ(listed, "");
}

}  // namespace
}  // namespace baton::testing
