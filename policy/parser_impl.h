// policy/parser_impl.h
//
// Parser is the recursive-descent parser behind ParseModule (policy/parser.h): one instance per
// source file, over its token list. Internal to policy/ (parser.cc: modules, rules and bodies;
// parser_terms.cc: expressions and terms). Not thread-safe; used by one call at a time.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/ast.h"
#include "policy/lexer.h"

namespace baton::policy {

// Identifiers that cannot name a rule or a variable.
extern const std::set<std::string, std::less<>> kKeywords;
// Guards against stack exhaustion on deeply nested input (the fuzzer finds this).
constexpr int kMaxParseDepth = 200;

class Parser {
 public:
  Parser(std::string_view file, std::vector<Token> tokens)
      : file_(file), toks_(std::move(tokens)) {}

  Result<Module> Run();

 private:
  const Token& Cur() const { return toks_[pos_]; }
  const Token& Peek(size_t n = 1) const {
    return toks_[pos_ + n < toks_.size() ? pos_ + n : toks_.size() - 1];
  }
  void Next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
  }
  bool IsIdent(std::string_view s) const {
    return Cur().kind == TokenKind::kIdent && Cur().text == s;
  }
  Location Loc() const { return {Cur().line, Cur().col}; }
  Status Error(const Token& t, std::string_view msg) const {
    return Status::InvalidArgument(Locate(file_, t.line, t.col, msg));
  }
  Status Unexpected(const Token& t) const {
    if (t.kind == TokenKind::kEof) return Error(t, "unexpected end of file");
    std::string what = t.kind == TokenKind::kIdent ? "`" + t.text + "`" : "token";
    if (t.kind == TokenKind::kString) what = "string";
    if (t.kind == TokenKind::kNumber) what = "number " + t.text;
    return Error(t, "unexpected " + what);
  }
  Status Expect(TokenKind k, std::string_view what) {
    if (Cur().kind != k) return Error(Cur(), "expected " + std::string(what));
    Next();
    return Status::OK();
  }

  Result<std::unique_ptr<Rule>> ParseRule();

  Status ParseRuleBody(Rule& rule);

  // Literals separated by `;` or newlines, up to (not including) `end`.
  Result<Body> ParseQuery(TokenKind end);

  Result<Body> ParseQueryInner(TokenKind end);

  Result<Expr> ParseLiteral();

  Result<Expr> ParseLiteralInner();

  Result<Expr> ParseExpr();

  bool OperatorHere() const { return group_ > 0 || !Cur().newline_before; }

  static Term MakeCall(std::string name, Location loc, Term a, Term b);

  Result<Term> ParseTermIn();

  Result<Term> ParseRelation();

  Result<Term> ParseOr();

  Result<Term> ParseAnd();

  Result<Term> ParseArith();

  Result<Term> ParseFactor();

  Result<Term> ParseUnary();

  Result<Term> ParsePrimary();

  Result<Term> ParsePrimaryInner();

  // RAII: inside brackets newlines do not end an expression and `|` is union again.
  struct Group {
    explicit Group(Parser* p) : p_(p), pipe_(p->allow_pipe_) {
      ++p_->group_;
      p_->allow_pipe_ = true;
    }
    ~Group() {
      --p_->group_;
      p_->allow_pipe_ = pipe_;
    }
    Parser* p_;
    bool pipe_;
  };

  static bool DottedName(const Term& t, std::string* out);

  Result<Term> ParsePostfix(Term t);

  static Term AppendRef(Term t, Term key);

  Result<Term> ParseHead();

  Result<Term> ParseArrayLike();

  // Remaining `, elem` (or `, key: value`) items up to `end`, allowing a trailing comma.
  Status ParseRest(Term& t, TokenKind end, bool pairs);

  Result<Term> ParseBraceLike();

  std::string_view file_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int group_ = 0;
  bool allow_pipe_ = true;
  int depth_ = 0;
};

}  // namespace baton::policy
