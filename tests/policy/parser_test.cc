// tests/policy/parser_test.cc: lexer/parser/compiler errors name file:line:col; valid syntax parses.
#include <gtest/gtest.h>

#include "policy/lexer.h"
#include "policy/parser.h"
#include "policy/policy.h"

namespace baton::policy {
namespace {

TEST(RegoLexerTest, TokensCarryLineAndColumn) {
  auto toks = Lex("f.rego", "package a\n  x := \"s\\n\" # c\n`raw`");
  ASSERT_TRUE(toks.ok());
  const auto& t = *toks;
  ASSERT_EQ(t.size(), 7u);
  EXPECT_EQ(t[2].text, "x");
  EXPECT_EQ(t[2].line, 2);
  EXPECT_EQ(t[2].col, 3);
  EXPECT_TRUE(t[2].newline_before);
  EXPECT_EQ(t[3].kind, TokenKind::kAssign);
  EXPECT_EQ(t[4].text, "s\n");
  EXPECT_EQ(t[5].kind, TokenKind::kRawString);
  EXPECT_EQ(t[5].line, 3);
  EXPECT_EQ(t[6].kind, TokenKind::kEof);
}

TEST(RegoLexerTest, ErrorsNamePosition) {
  struct Case {
    const char* src;
    const char* error;
  };
  const Case kCases[] = {
      {"package a\nx := \"open", "f.rego:2:6: unterminated string"},
      {"package a\nx := @", "f.rego:2:6: unexpected character '@'"},
      {"package a\nx := \"\\q\"", "f.rego:2:6: invalid escape sequence in string"},
      {"package a\nx := `raw", "f.rego:2:6: unterminated raw string"},
      {"package a\nx := 12abc", "f.rego:2:6: invalid number literal"},
      {"package a\nx := 1 ! 2", "f.rego:2:8: unexpected character '!'"},
      {"package a\nx := \"a\xd3\xdf\"", "f.rego:2:8: invalid UTF-8"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.src);
    auto r = Lex("f.rego", c.src);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), c.error);
  }
}

TEST(RegoParserTest, UnsupportedOrInvalidSyntaxNamesLineAndColumn) {
  struct Case {
    const char* src;
    const char* error;
  };
  const Case kCases[] = {
      {"x := 1", "p.rego:1:1: expected `package` declaration"},
      {"package a\np {\n  true\n}", "p.rego:2:3: `if` keyword is required before a rule body (Rego v1)"},
      {"package a\np[x] if { x := 1 }", "p.rego:2:2: `p[x]` without a value is not supported: use `p contains x`"},
      {"package a\na.b.c := 1", "p.rego:2:2: rule heads with references (a.b.c) are not supported"},
      {"package a\ndefault p", "p.rego:2:1: default rules need the form `default name := value`"},
      {"package a\np contains x if { x := 1 } else := 2", "p.rego:2:28: `else` is only allowed on complete rules and functions"},
      {"package a\np := [1, 2", "p.rego:2:11: unexpected end of file"},
      {"package a\np if { x := 1 y := 2 }", "p.rego:2:15: unexpected `y`"},
      {"package a\np if { some 1 }", "p.rego:2:13: `some` declares variables only"},
      {"package a\np if { every 1 in [1] { true } }", "p.rego:2:14: `every` binds variables only"},
      {"package a\nimport foo.bar", "p.rego:2:1: import must start with data or input"},
      {"package a\np if {\n}", "p.rego:3:1: empty body"},
      {"package a\n1 := 2", "p.rego:2:1: expected rule name"},
      {"package a\np if { x with input as }", "p.rego:2:24: unexpected token"},
      {"package a\np if { input.x.1 }", "p.rego:2:16: expected field name after `.`"},
      {"package a\np := {\"a\": 1,, }", "p.rego:2:14: unexpected token"},
      {"package a\np if { not }", "p.rego:2:12: unexpected token"},
      {"package a\np if { [1][0](2) }", "p.rego:2:14: only named functions can be called"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.src);
    auto r = ParseModule("p.rego", c.src);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), c.error);
  }
}

TEST(RegoParserTest, CompileErrorsNameFileLineAndColumn) {
  struct Case {
    const char* src;
    const char* error;
  };
  const Case kCases[] = {
      {"package a\np if nope(1)", "c.rego:2:6: undefined function nope"},
      {"package a\np if count(1, 2)", "c.rego:2:6: function count takes 1 arguments, got 2"},
      {"package a\np if {\n  x := 1\n  x := 2\n}", "c.rego:4:3: var x assigned above"},
      {"package a\np := 1\np contains 2", "c.rego:3:1: conflicting rules data.a.p found"},
      {"package a\ndefault p := 1\ndefault p := 2", "c.rego:3:1: multiple default rules data.a.p found"},
      {"package a\np contains x if input.y", "c.rego:2:1: rule `p` has a head variable not bound by its body"},
      {"package a\nf(x) := x\np := f", "c.rego:3:6: function f used as a value"},
      {"package a\nq := 1\np if q(1)", "c.rego:3:6: q is not a function"},
      {"package a\np if true with foo as 1", "c.rego:2:16: `with` target must be input or data followed by field names"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.src);
    auto r = CompilePolicy({{"c.rego", c.src}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), c.error);
  }
}

TEST(RegoParserTest, AcceptsTheDocumentedSubset) {
  const char* kSrc = R"(package a.b
import rego.v1
import future.keywords.in
import data.other as o
import input.user

default allow := false
allow if { input.x == 1; input.y != 2 }
allow if user == "root"
p := 1 if { false } else := 2 if { true } else := 3
s contains x if { some x in [1, 2] }
obj[k] := v if { some k, v in {"a": 1} }
f(x) := y if { y := x + 1 }
f(x) := x if x > 100
g(_) := true
e if every x in [1] { x > 0 }
e2 if every k, v in {"a": 1} { k != v }
c := [x | some x in [1, 2]; x > 1]
cs := {x | some x in [1]}
co := {k: v | some k, v in {"a": 1}}
arith := ((1 + 2) * 3 - 4 / 2) % 5
sets := [{1} | {2}, {1} & {2}, set()]
n if not input.z
w if input.x with input as {"x": true}
u if { [a, _] = [1, 2]; a == 1 }
r := `raw\string`
neg := -1.5e3
call_ret := split("a/b", "/")[1]
contains_call if contains("abc", "b")
multi := {
  "a": [1,
        2],
}
)";
  auto r = CompilePolicy({{"ok.rego", kSrc}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(RegoParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string src = "package a\np := " + std::string(5000, '[') + std::string(5000, ']');
  auto r = ParseModule("deep.rego", src);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting too deep"), std::string::npos);
}

}  // namespace
}  // namespace baton::policy
