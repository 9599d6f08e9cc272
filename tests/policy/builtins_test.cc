// tests/policy/builtins_test.cc: each built-in, table-driven. "undefined" means the call has no
// value (a built-in error makes the expression undefined, as in OPA).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/policy.h"

namespace baton::policy {
namespace {

struct Case {
  const char* expr;
  const char* expected;  // JSON, or "undefined"
};

void RunTable(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expr);
    std::string src = std::string("package t\nimport rego.v1\nr := ") + c.expr + "\n";
    auto pol = CompilePolicy({{"b.rego", src}});
    ASSERT_TRUE(pol.ok()) << pol.status().ToString();
    nlohmann::json input = {{"s", "hello"}, {"n", 3}, {"ns", 1795511520000000000LL}, {"zero", 0}};
    auto got = EvalQuery(**pol, "data.t.r", input, nlohmann::json::object());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (std::string(c.expected) == "undefined") {
      EXPECT_FALSE(got->has_value()) << (*got)->dump();
    } else {
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ(**got, nlohmann::json::parse(c.expected));
    }
  }
}

TEST(RegoBuiltinsTest, Aggregates) {
  RunTable({
      {"count([1, 2, 3])", "3"},
      {"count({\"a\": 1})", "1"},
      {"count({1, 1, 2})", "2"},
      {"count(\"héllo\")", "5"},
      {"count(input.n)", "undefined"},
      {"sum([1, 2.5])", "3.5"},
      {"sum({1, 2})", "3"},
      {"sum([\"a\"])", "undefined"},
      {"product([2, 3, 4])", "24"},
      {"max([1, 3, 2])", "3"},
      {"max([])", "undefined"},
      {"min({\"b\", \"a\"})", "\"a\""},
      {"sort([3, 1, 2])", "[1, 2, 3]"},
      {"sort({\"b\", \"a\"})", "[\"a\", \"b\"]"},
      {"sort(1)", "undefined"},
  });
}

TEST(RegoBuiltinsTest, Strings) {
  RunTable({
      {"concat(\"/\", [\"a\", \"b\"])", "\"a/b\""},
      {"concat(\"/\", [\"a\", 1])", "undefined"},
      {"contains(\"abc\", \"b\")", "true"},
      {"contains(\"abc\", \"z\")", "false"},
      {"startswith(input.s, \"he\")", "true"},
      {"endswith(input.s, \"lo\")", "true"},
      {"startswith(input.n, \"he\")", "undefined"},
      {"lower(\"AbC\")", "\"abc\""},
      {"upper(\"AbC\")", "\"ABC\""},
      {"split(\"a,b,,c\", \",\")", "[\"a\", \"b\", \"\", \"c\"]"},
      {"split(\"ab\", \"\")", "[\"a\", \"b\"]"},
      {"trim_space(\" \\t x \\n\")", "\"x\""},
      {"trim(\"--x--\", \"-\")", "\"x\""},
      {"trim_prefix(\"pre.x\", \"pre.\")", "\"x\""},
      {"trim_suffix(\"x.rego\", \".rego\")", "\"x\""},
      {"replace(\"a.b.c\", \".\", \"/\")", "\"a/b/c\""},
      {"indexof(\"hello\", \"l\")", "2"},
      {"substring(\"hello\", 1, 3)", "\"ell\""},
      {"format_int(255, 16)", "\"ff\""},
  });
}

TEST(RegoBuiltinsTest, SprintfIsGoCompatible) {
  RunTable({
      {"sprintf(\"%s=%d\", [\"a\", 1])", "\"a=1\""},
      {"sprintf(\"%v\", [[1, \"a\"]])", "\"[1, \\\"a\\\"]\""},
      {"sprintf(\"%v\", [{\"k\": {1}}])", "\"{\\\"k\\\": {1}}\""},
      {"sprintf(\"%q\", [\"x\"])", "\"\\\"x\\\"\""},
      {"sprintf(\"%d\", [1.5])", "\"%!d(float64=1.5)\""},
      {"sprintf(\"%s\", [1])", "\"%!s(int=1)\""},
      {"sprintf(\"%v %v\", [true, null])", "\"true null\""},
      {"sprintf(\"%d%%\", [5])", "\"5%\""},
      {"sprintf(\"%s %s\", [\"a\"])", "\"a %!s(MISSING)\""},
      {"sprintf(\"%s\", [\"a\", 2])", "\"a%!(EXTRA int=2)\""},
      {"sprintf(\"%05.1f|%-3d|\", [3.14159, 7])", "\"003.1|7  |\""},
      {"sprintf(\"%s\", [input.missing])", "undefined"},
  });
}

TEST(RegoBuiltinsTest, RegexAndGlob) {
  RunTable({
      {"regex.match(`^a+$`, \"aaa\")", "true"},
      {"regex.match(`^a+$`, \"ab\")", "false"},
      {"regex.match(`(`, \"a\")", "undefined"},
      {"regex.split(`[;&|]+`, \"a;b&&c\")", "[\"a\", \"b\", \"c\"]"},
      {"regex.split(`,`, \"\")", "[\"\"]"},
      {"regex.find_n(`\\d`, \"a1b2c3\", 2)", "[\"1\", \"2\"]"},
      {"regex.is_valid(`a(`)", "false"},
      {"glob.match(\"/srv/**\", [\"/\"], \"/srv/a/b\")", "true"},
      {"glob.match(\"/srv/*\", [\"/\"], \"/srv/a/b\")", "false"},
      {"glob.match(\"*.rego\", [], \"x.rego\")", "true"},
      {"glob.match(\"{a,b}?\", [], \"bz\")", "true"},
      {"glob.match(\"[!x]\", [], \"x\")", "false"},
  });
}

TEST(RegoBuiltinsTest, ObjectsArraysSetsAndTypes) {
  RunTable({
      {"object.get({\"a\": 1}, \"a\", 0)", "1"},
      {"object.get({\"a\": 1}, \"b\", 0)", "0"},
      {"object.get({\"a\": {\"b\": 2}}, [\"a\", \"b\"], 0)", "2"},
      {"object.get({\"a\": {\"b\": 2}}, [\"a\", \"c\"], 0)", "0"},
      {"object.get(1, \"a\", 0)", "undefined"},
      {"object.keys({\"a\": 1, \"b\": 2})", "[\"a\", \"b\"]"},
      {"object.remove({\"a\": 1, \"b\": 2}, [\"a\"])", "{\"b\": 2}"},
      {"array.concat([1], [2, 3])", "[1, 2, 3]"},
      {"array.slice([1, 2, 3], 1, 2)", "[2]"},
      {"union({{1}, {2}})", "[1, 2]"},
      {"intersection({{1, 2}, {2, 3}})", "[2]"},
      {"numbers.range(1, 3)", "[1, 2, 3]"},
      {"[is_string(\"a\"), is_number(1), is_boolean(true), is_array([]), is_set(set()), is_object({}), is_null(null)]",
       "[true, true, true, true, true, true, true]"},
      {"[is_string(1), is_number(\"1\"), is_array({})]", "[false, false, false]"},
      {"type_name(set())", "\"set\""},
      {"to_number(\"12\")", "12"},
      {"to_number(\"x\")", "undefined"},
  });
}

TEST(RegoBuiltinsTest, ArithmeticAndComparison) {
  RunTable({
      {"[1 + 2, 5 - 7, 2 * 3, 7 / 2, 7 % 3]", "[3, -2, 6, 3.5, 1]"},
      {"1 / input.zero", "undefined"},
      {"7.5 % 2", "undefined"},
      {"\"a\" + 1", "undefined"},
      {"[round(2.5), ceil(1.2), floor(1.8), abs(-2)]", "[3, 2, 1, 2]"},
      {"[1 == 1.0, 1 < 2, \"b\" > \"a\", null < false, [1] == [1]]", "[true, true, true, true, true]"},
      {"[{1, 2} | {3}, {1, 2} & {2}, {1, 2} - {1}]", "[[1, 2, 3], [2], [2]]"},
      {"[2 in [1, 2], 3 in {1}, 1 in {\"k\": 1}]", "[true, false, true]"},
  });
}

TEST(RegoBuiltinsTest, TimeTakesItsTimeFromArguments) {
  RunTable({
      {"time.parse_rfc3339_ns(\"2026-11-24T10:32:00Z\")", "1795516320000000000"},
      {"time.parse_rfc3339_ns(\"nope\")", "undefined"},
      {"time.clock(input.ns)", "[9, 12, 0]"},
      {"time.clock([input.ns, \"UTC\"])", "[9, 12, 0]"},
      {"time.clock([input.ns, \"Europe/Paris\"])", "undefined"},
      {"time.weekday(input.ns)", "\"Tuesday\""},
      {"time.date(input.ns)", "[2026, 11, 24]"},
      {"time.weekday(\"x\")", "undefined"},
  });
}

}  // namespace
}  // namespace baton::policy
