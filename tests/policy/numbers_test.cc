// tests/policy/numbers_test.cc: integers stay exact int64 beyond 2^53 (nanosecond timestamps), in
// literals, the JSON input, arithmetic, comparisons and built-ins. The cases without input were
// checked against OPA 0.47 (most are also in golden/numbers_exact); the input-side ones live only
// here because the oracle's JavaScript rounds big numbers in the input it is given.
#include <cstdint>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/policy.h"

namespace baton::policy {
namespace {

// Evaluates `r := <expr>` with `input`; nullopt when undefined.
std::optional<nlohmann::json> Eval(const std::string& expr, const nlohmann::json& input = {}) {
  std::string src = "package t\nimport rego.v1\nr := " + expr + "\n";
  auto pol = CompilePolicy({{"n.rego", src}});
  EXPECT_TRUE(pol.ok()) << pol.status().ToString();
  if (!pol.ok()) return std::nullopt;
  auto got = EvalQuery(**pol, "data.t.r", input, nlohmann::json::object());
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? *got : std::nullopt;
}

const nlohmann::json kTrue = true;

TEST(RegoNumbersTest, NanosecondAdditionStaysExactAbove2To53) {
  EXPECT_EQ(Eval("1704473999999999999 + 1 == 1704474000000000000"), kTrue);
  EXPECT_EQ(Eval("1704473999999999999 + 2 != 1704474000000000000"), kTrue);
  auto sum = Eval("1704473999999999999 + 1");
  ASSERT_TRUE(sum);
  ASSERT_TRUE(sum->is_number_integer());
  EXPECT_EQ(sum->get<int64_t>(), 1704474000000000000);
  EXPECT_EQ(Eval("1704474000000000000 - 1704473999999999999"), nlohmann::json(1));
  EXPECT_EQ(Eval("1704473999999 * 1000000"), nlohmann::json(1704473999999000000));
}

TEST(RegoNumbersTest, TimeClockOfNanosecondBoundary) {
  EXPECT_EQ(Eval("time.clock([1704473999999999999, \"UTC\"])"), nlohmann::json({16, 59, 59}));
  EXPECT_EQ(Eval("time.clock([1704474000000000000, \"UTC\"])"), nlohmann::json({17, 0, 0}));
  EXPECT_EQ(Eval("time.clock(input.now_ns)", {{"now_ns", 1704473999999999999}}),
            nlohmann::json({16, 59, 59}));
  EXPECT_EQ(Eval("time.date(1704585599999999999)"), nlohmann::json({2024, 1, 6}));
  EXPECT_EQ(Eval("time.weekday(1704585599999999999)"), nlohmann::json("Saturday"));
  EXPECT_EQ(Eval("time.clock(1.5)"), std::nullopt);  // OPA: a timestamp must be an integer
}

TEST(RegoNumbersTest, DeployWindowClosesAtExactNanosecond) {
  const char* rule = "w if { [h, _, _] := time.clock([input.now_ns, \"UTC\"]); h >= 9; h < 17 }";
  std::string src = std::string("package t\nimport rego.v1\n") + rule + "\n";
  auto pol = CompilePolicy({{"w.rego", src}});
  ASSERT_TRUE(pol.ok()) << pol.status().ToString();
  auto open = EvalQuery(**pol, "data.t.w", {{"now_ns", 1704473999999999999}}, nlohmann::json::object());
  auto closed = EvalQuery(**pol, "data.t.w", {{"now_ns", 1704474000000000000}}, nlohmann::json::object());
  ASSERT_TRUE(open.ok() && closed.ok());
  EXPECT_EQ(*open, kTrue);
  EXPECT_EQ(*closed, std::nullopt);
}

TEST(RegoNumbersTest, InputIntegersKeepEveryDigit) {
  nlohmann::json input = {{"ns", 1704473999999999999}, {"u", uint64_t{9007199254740993}}};
  EXPECT_EQ(Eval("input.ns + 1 == 1704474000000000000", input), kTrue);
  EXPECT_EQ(Eval("input.ns < 1704474000000000000", input), kTrue);
  EXPECT_EQ(Eval("input.u == 9007199254740993", input), kTrue);
  EXPECT_EQ(Eval("format_int(input.ns, 10)", input), nlohmann::json("1704473999999999999"));
  EXPECT_EQ(Eval("json.marshal([input.ns])", input), nlohmann::json("[1704473999999999999]"));
  EXPECT_EQ(Eval("input.ns", input)->get<int64_t>(), 1704473999999999999);
}

// Decision: an unsigned input above int64 max becomes the nearest double (2^64 - 1 reads as 2^64):
// still ordered correctly against every int64, but no longer exact.
TEST(RegoNumbersTest, InputAboveInt64MaxBecomesAnOrderedDouble) {
  nlohmann::json input = {{"u", UINT64_MAX}};
  EXPECT_EQ(Eval("input.u > 9223372036854775807", input), kTrue);
  EXPECT_EQ(Eval("is_number(input.u)", input), kTrue);
  EXPECT_EQ(Eval("input.u == 18446744073709551616.0", input), kTrue);
}

TEST(RegoNumbersTest, IntAndFloatCompareByExactValue) {
  EXPECT_EQ(Eval("9007199254740993 == 9007199254740992.0"), nlohmann::json(false));
  EXPECT_EQ(Eval("9007199254740993 > 9007199254740992.0"), kTrue);
  EXPECT_EQ(Eval("9223372036854775807 < 9223372036854775808.0"), kTrue);
  EXPECT_EQ(Eval("1.0 == 1"), kTrue);
  EXPECT_EQ(Eval("count({1, 1.0, 9007199254740993, 9007199254740992.0})"), nlohmann::json(3));
  EXPECT_EQ(Eval("{9007199254740993: \"a\"}[9007199254740993]"), nlohmann::json("a"));
  EXPECT_EQ(Eval("{9007199254740993: \"a\"}[9007199254740992]"), std::nullopt);
}

TEST(RegoNumbersTest, DivisionIsExactWhenItDividesAndOrderedWhenNot) {
  EXPECT_EQ(Eval("4 / 2"), nlohmann::json(2));
  EXPECT_EQ(Eval("1704474000000000000 / 1000000000"), nlohmann::json(1704474000));
  EXPECT_EQ(Eval("1704473999999999999 / 1000000000 < 1704474000"), kTrue);
  EXPECT_EQ(Eval("floor(1704473999999999999 / 1000000000)"), nlohmann::json(1704473999));
  EXPECT_EQ(Eval("ceil(-1704473999999999999 / 1000000000)"), nlohmann::json(-1704473999));
  EXPECT_EQ(Eval("-9223372036854775808 / -1 > 9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("1 / 0"), std::nullopt);
}

TEST(RegoNumbersTest, Int64OverflowFallsBackToOrderedDouble) {
  EXPECT_EQ(Eval("9223372036854775807 + 1 > 9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("-9223372036854775808 - 1 < -9223372036854775808"), kTrue);
  EXPECT_EQ(Eval("9223372036854775807 * 2 > 9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("sum([9223372036854775807, 1]) > 9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("abs(-9223372036854775808) > 9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("-9223372036854775808 % -1"), nlohmann::json(0));
  EXPECT_EQ(Eval("format_int(-9223372036854775808, 16)"), nlohmann::json("-8000000000000000"));
  EXPECT_EQ(Eval("count(numbers.range(-9223372036854775808, 9223372036854775807))"), std::nullopt);
}

TEST(RegoNumbersTest, AggregatesAndRoundingOfNanosecondsAreExact) {
  EXPECT_EQ(Eval("sum([1704473999999999999, 1])"), nlohmann::json(1704474000000000000));
  EXPECT_EQ(Eval("sum([0.5, 0.5, 1704473999999999998])"), nlohmann::json(1704473999999999999));
  EXPECT_EQ(Eval("product([1704473999999, 1000000])"), nlohmann::json(1704473999999000000));
  EXPECT_EQ(Eval("max([1704473999999999999, 1704473999999999998])"), nlohmann::json(1704473999999999999));
  for (const char* f : {"round", "ceil", "floor", "abs"}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(Eval(std::string(f) + "(1704473999999999999)"), nlohmann::json(1704473999999999999));
  }
  EXPECT_EQ(Eval("numbers.range(1704473999999999998, 1704474000000000000)"),
            nlohmann::json({1704473999999999998, 1704473999999999999, 1704474000000000000}));
}

TEST(RegoNumbersTest, TextConversionsKeepEveryDigit) {
  EXPECT_EQ(Eval("sprintf(\"%d %v\", [1704473999999999999, 1704473999999999999])"),
            nlohmann::json("1704473999999999999 1704473999999999999"));
  EXPECT_EQ(Eval("to_number(\"1704473999999999999\") == 1704473999999999999"), kTrue);
  EXPECT_EQ(Eval("json.unmarshal(\"[1704473999999999999]\")[0] == 1704473999999999999"), kTrue);
  EXPECT_EQ(Eval("json.marshal({1704473999999999999: 1704473999999999999})"),
            nlohmann::json("{\"1704473999999999999\":1704473999999999999}"));
}

TEST(RegoNumbersTest, IntegerLiteralBeyondInt64IsAParseError) {
  auto pol = CompilePolicy({{"big.rego", "package t\nr := 100000000000000000000\n"}});
  ASSERT_FALSE(pol.ok());
  EXPECT_NE(pol.status().ToString().find("outside the 64-bit range"), std::string::npos)
      << pol.status().ToString();
  EXPECT_EQ(Eval("-9223372036854775808 < -9223372036854775807"), kTrue);
  EXPECT_EQ(Eval("1.0e20 > 9223372036854775807"), kTrue);  // a decimal literal is a double
  EXPECT_FALSE(CompilePolicy({{"inf.rego", "package t\nr := 1e400\n"}}).ok());
}

// NaN or infinity would break Rego's total order (and with it sorted sets): such results are errors.
TEST(RegoNumbersTest, NonFiniteResultIsUndefined) {
  EXPECT_EQ(Eval("1.0e308 * 10"), std::nullopt);
  EXPECT_EQ(Eval("sum([1.0e308, 1.0e308])"), std::nullopt);
  EXPECT_EQ(Eval("1.0e308 / 0.5e-308"), std::nullopt);
  EXPECT_EQ(Eval("{1.0e308 * 10, 1}"), std::nullopt);
}

}  // namespace
}  // namespace baton::policy
