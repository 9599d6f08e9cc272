// policy/parser.cc
#include "policy/parser.h"

#include <cstdlib>
#include <set>

#include "policy/lexer.h"

namespace baton::policy {
namespace {

const std::set<std::string, std::less<>> kKeywords = {
    "package", "import", "as", "default", "if", "else", "contains", "some", "in",
    "every", "not", "with", "true", "false", "null"};

// Guards against stack exhaustion on deeply nested input (the fuzzer finds this).
constexpr int kMaxDepth = 200;

class Parser {
 public:
  Parser(std::string_view file, std::vector<Token> tokens)
      : file_(file), toks_(std::move(tokens)) {}

  Result<Module> Run() {
    Module m;
    m.file = std::string(file_);
    if (!IsIdent("package")) return Error(Cur(), "expected `package` declaration");
    Next();
    while (true) {
      if (Cur().kind != TokenKind::kIdent) return Error(Cur(), "expected package name");
      m.package.push_back(Cur().text);
      Next();
      if (Cur().kind != TokenKind::kDot) break;
      Next();
    }
    if (!m.package.empty() && m.package[0] == "data") m.package.erase(m.package.begin());
    while (IsIdent("import")) {
      Import imp;
      imp.loc = Loc();
      Next();
      while (true) {
        if (Cur().kind != TokenKind::kIdent) return Error(Cur(), "expected import path");
        imp.path.push_back(Cur().text);
        Next();
        if (Cur().kind != TokenKind::kDot) break;
        Next();
      }
      if (IsIdent("as")) {
        Next();
        if (Cur().kind != TokenKind::kIdent) return Error(Cur(), "expected alias after `as`");
        imp.alias = Cur().text;
        Next();
      } else {
        imp.alias = imp.path.back();
      }
      const std::string& root = imp.path[0];
      if (root == "rego" || root == "future") continue;  // keyword imports: v1 syntax is the default
      if (root != "data" && root != "input") {
        return Status::InvalidArgument(
            Locate(file_, imp.loc.line, imp.loc.col, "import must start with data or input"));
      }
      m.imports.push_back(std::move(imp));
    }
    while (Cur().kind != TokenKind::kEof) {
      auto rule = ParseRule();
      if (!rule.ok()) return rule.status();
      m.rules.push_back(std::move(rule).value());
    }
    return m;
  }

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

  Result<std::unique_ptr<Rule>> ParseRule() {
    auto rule = std::make_unique<Rule>();
    rule->loc = Loc();
    if (IsIdent("default")) {
      rule->is_default = true;
      Next();
    }
    if (Cur().kind != TokenKind::kIdent || kKeywords.count(Cur().text)) {
      return Error(Cur(), "expected rule name");
    }
    rule->name = Cur().text;
    Next();
    if (Cur().kind == TokenKind::kDot) {
      return Error(Cur(), "rule heads with references (a.b.c) are not supported");
    }
    if (Cur().kind == TokenKind::kLParen && !Cur().space_before) {
      rule->kind = RuleKind::kFunction;
      Next();
      while (Cur().kind != TokenKind::kRParen) {
        auto t = ParseTermIn();
        if (!t.ok()) return t.status();
        rule->args.push_back(std::move(t).value());
        if (Cur().kind == TokenKind::kComma) {
          Next();
        } else if (Cur().kind != TokenKind::kRParen) {
          return Error(Cur(), "expected , or ) in function arguments");
        }
      }
      Next();
    } else if (IsIdent("contains")) {
      rule->kind = RuleKind::kPartialSet;
      Next();
      auto t = ParseTermIn();
      if (!t.ok()) return t.status();
      rule->key = std::move(t).value();
    } else if (Cur().kind == TokenKind::kLBracket) {
      Token at = Cur();
      Next();
      auto t = ParseTermIn();
      if (!t.ok()) return t.status();
      rule->key = std::move(t).value();
      BATON_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "]"));
      if (Cur().kind != TokenKind::kAssign && Cur().kind != TokenKind::kUnify) {
        return Error(at, "`p[x]` without a value is not supported: use `p contains x`");
      }
      rule->kind = RuleKind::kPartialObject;
    }
    bool has_value = false;
    if (Cur().kind == TokenKind::kAssign || Cur().kind == TokenKind::kUnify) {
      if (rule->kind == RuleKind::kPartialSet) return Error(Cur(), "`contains` rules take no value");
      Next();
      auto t = ParseTermIn();
      if (!t.ok()) return t.status();
      rule->value = std::move(t).value();
      has_value = true;
    } else {
      rule->value.kind = TermKind::kScalar;
      rule->value.value = Value::Bool(true);
      rule->value.loc = rule->loc;
    }
    if (rule->is_default) {
      if (!has_value || rule->kind != RuleKind::kComplete) {
        return Status::InvalidArgument(Locate(file_, rule->loc.line, rule->loc.col,
                                              "default rules need the form `default name := value`"));
      }
      return rule;
    }
    BATON_RETURN_IF_ERROR(ParseRuleBody(*rule));
    Rule* last = rule.get();
    while (IsIdent("else")) {
      if (rule->kind != RuleKind::kComplete && rule->kind != RuleKind::kFunction) {
        return Error(Cur(), "`else` is only allowed on complete rules and functions");
      }
      auto e = std::make_unique<Rule>();
      e->loc = Loc();
      e->kind = rule->kind;
      e->name = rule->name;
      for (const Term& a : rule->args) e->args.push_back(a);
      Next();
      if (Cur().kind == TokenKind::kAssign || Cur().kind == TokenKind::kUnify) {
        Next();
        auto t = ParseTermIn();
        if (!t.ok()) return t.status();
        e->value = std::move(t).value();
      } else {
        e->value.kind = TermKind::kScalar;
        e->value.value = Value::Bool(true);
        e->value.loc = e->loc;
      }
      BATON_RETURN_IF_ERROR(ParseRuleBody(*e));
      last->else_rule = std::move(e);
      last = last->else_rule.get();
    }
    return rule;
  }

  Status ParseRuleBody(Rule& rule) {
    if (Cur().kind == TokenKind::kLBrace) {
      return Error(Cur(), "`if` keyword is required before a rule body (Rego v1)");
    }
    if (!IsIdent("if")) return Status::OK();
    Next();
    rule.has_body = true;
    if (Cur().kind == TokenKind::kLBrace) {
      Next();
      auto body = ParseQuery(TokenKind::kRBrace);
      if (!body.ok()) return body.status();
      rule.body = std::move(body).value();
      return Expect(TokenKind::kRBrace, "}");
    }
    auto lit = ParseLiteral();
    if (!lit.ok()) return lit.status();
    rule.body.push_back(std::move(lit).value());
    return Status::OK();
  }

  // Literals separated by `;` or newlines, up to (not including) `end`.
  Result<Body> ParseQuery(TokenKind end) {
    int saved_group = group_;
    bool saved_pipe = allow_pipe_;
    group_ = 0;
    allow_pipe_ = true;
    auto r = ParseQueryInner(end);
    group_ = saved_group;
    allow_pipe_ = saved_pipe;
    return r;
  }

  Result<Body> ParseQueryInner(TokenKind end) {
    Body body;
    while (Cur().kind != end) {
      if (Cur().kind == TokenKind::kEof) return Unexpected(Cur());
      auto lit = ParseLiteral();
      if (!lit.ok()) return lit.status();
      body.push_back(std::move(lit).value());
      if (Cur().kind == TokenKind::kSemicolon) {
        Next();
      } else if (Cur().kind != end && !Cur().newline_before) {
        return Unexpected(Cur());
      }
    }
    if (body.empty()) return Error(Cur(), "empty body");
    return body;
  }

  Result<Expr> ParseLiteral() {
    if (++depth_ > kMaxDepth) return Error(Cur(), "nesting too deep");
    auto r = ParseLiteralInner();
    --depth_;
    return r;
  }

  Result<Expr> ParseLiteralInner() {
    Expr e;
    e.loc = Loc();
    if (IsIdent("some")) {
      Next();
      auto first = ParseRelation();
      if (!first.ok()) return first.status();
      std::vector<Term> terms;
      terms.push_back(std::move(first).value());
      while (Cur().kind == TokenKind::kComma) {
        Next();
        auto t = ParseRelation();
        if (!t.ok()) return t.status();
        terms.push_back(std::move(t).value());
      }
      if (IsIdent("in")) {
        if (terms.size() > 2) return Error(Cur(), "`some` takes at most a key and a value");
        Next();
        auto coll = ParseRelation();
        if (!coll.ok()) return coll.status();
        e.kind = ExprKind::kSomeIn;
        e.has_key = terms.size() == 2;
        if (!e.has_key) e.terms.push_back(Term{});
        for (auto& t : terms) e.terms.push_back(std::move(t));
        e.terms.push_back(std::move(coll).value());
        return e;
      }
      for (const Term& t : terms) {
        if (t.kind != TermKind::kVar) {
          return Status::InvalidArgument(
              Locate(file_, t.loc.line, t.loc.col, "`some` declares variables only"));
        }
      }
      e.kind = ExprKind::kSome;
      e.terms = std::move(terms);
      return e;
    }
    if (IsIdent("every")) {
      Next();
      e.kind = ExprKind::kEvery;
      auto first = ParseRelation();
      if (!first.ok()) return first.status();
      Term key;
      Term val = std::move(first).value();
      if (Cur().kind == TokenKind::kComma) {
        Next();
        auto v = ParseRelation();
        if (!v.ok()) return v.status();
        key = std::move(val);
        val = std::move(v).value();
        e.has_key = true;
      }
      for (const Term* t : {&key, &val}) {
        if ((t != &key || e.has_key) && t->kind != TermKind::kVar) {
          return Status::InvalidArgument(
              Locate(file_, t->loc.line, t->loc.col, "`every` binds variables only"));
        }
      }
      if (!IsIdent("in")) return Error(Cur(), "expected `in` after `every` variables");
      Next();
      auto coll = ParseRelation();
      if (!coll.ok()) return coll.status();
      BATON_RETURN_IF_ERROR(Expect(TokenKind::kLBrace, "{ after `every ... in ...`"));
      auto body = ParseQuery(TokenKind::kRBrace);
      if (!body.ok()) return body.status();
      BATON_RETURN_IF_ERROR(Expect(TokenKind::kRBrace, "}"));
      e.terms.push_back(std::move(key));
      e.terms.push_back(std::move(val));
      e.terms.push_back(std::move(coll).value());
      e.body = std::make_shared<Body>(std::move(body).value());
      return e;
    }
    if (IsIdent("not")) {
      Next();
      auto inner = ParseExpr();
      if (!inner.ok()) return inner.status();
      e.kind = ExprKind::kNot;
      e.sub.push_back(std::move(inner).value());
    } else {
      auto inner = ParseExpr();
      if (!inner.ok()) return inner.status();
      e = std::move(inner).value();
    }
    while (IsIdent("with")) {
      Next();
      With w;
      auto target = ParsePrimary();
      if (!target.ok()) return target.status();
      w.target = std::move(target).value();
      if (!IsIdent("as")) return Error(Cur(), "expected `as` in `with`");
      Next();
      auto value = ParseTermIn();
      if (!value.ok()) return value.status();
      w.value = std::move(value).value();
      e.withs.push_back(std::move(w));
    }
    return e;
  }

  Result<Expr> ParseExpr() {
    Expr e;
    e.loc = Loc();
    auto lhs = ParseTermIn();
    if (!lhs.ok()) return lhs.status();
    e.terms.push_back(std::move(lhs).value());
    if (Cur().kind == TokenKind::kAssign || Cur().kind == TokenKind::kUnify) {
      e.kind = Cur().kind == TokenKind::kAssign ? ExprKind::kAssign : ExprKind::kUnify;
      Next();
      auto rhs = ParseTermIn();
      if (!rhs.ok()) return rhs.status();
      e.terms.push_back(std::move(rhs).value());
    }
    return e;
  }

  bool OperatorHere() const { return group_ > 0 || !Cur().newline_before; }

  static Term MakeCall(std::string name, Location loc, Term a, Term b) {
    Term t;
    t.kind = TermKind::kCall;
    t.loc = loc;
    t.name = std::move(name);
    t.items.push_back(std::move(a));
    t.items.push_back(std::move(b));
    return t;
  }

  Result<Term> ParseTermIn() {
    auto lhs = ParseRelation();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while (IsIdent("in") && OperatorHere()) {
      Location loc = Loc();
      Next();
      auto rhs = ParseRelation();
      if (!rhs.ok()) return rhs;
      t = MakeCall("internal.member_2", loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseRelation() {
    auto lhs = ParseOr();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while (OperatorHere()) {
      const char* op = nullptr;
      switch (Cur().kind) {
        case TokenKind::kEq: op = "equal"; break;
        case TokenKind::kNeq: op = "neq"; break;
        case TokenKind::kLt: op = "lt"; break;
        case TokenKind::kLte: op = "lte"; break;
        case TokenKind::kGt: op = "gt"; break;
        case TokenKind::kGte: op = "gte"; break;
        default: break;
      }
      if (!op) break;
      Location loc = Loc();
      Next();
      auto rhs = ParseOr();
      if (!rhs.ok()) return rhs;
      t = MakeCall(op, loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseOr() {
    auto lhs = ParseAnd();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while (Cur().kind == TokenKind::kPipe && allow_pipe_ && OperatorHere()) {
      Location loc = Loc();
      Next();
      auto rhs = ParseAnd();
      if (!rhs.ok()) return rhs;
      t = MakeCall("or", loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseAnd() {
    auto lhs = ParseArith();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while (Cur().kind == TokenKind::kAmp && OperatorHere()) {
      Location loc = Loc();
      Next();
      auto rhs = ParseArith();
      if (!rhs.ok()) return rhs;
      t = MakeCall("and", loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseArith() {
    auto lhs = ParseFactor();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while ((Cur().kind == TokenKind::kPlus || Cur().kind == TokenKind::kMinus) && OperatorHere()) {
      const char* op = Cur().kind == TokenKind::kPlus ? "plus" : "minus";
      Location loc = Loc();
      Next();
      auto rhs = ParseFactor();
      if (!rhs.ok()) return rhs;
      t = MakeCall(op, loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseFactor() {
    auto lhs = ParseUnary();
    if (!lhs.ok()) return lhs;
    Term t = std::move(lhs).value();
    while ((Cur().kind == TokenKind::kStar || Cur().kind == TokenKind::kSlash ||
            Cur().kind == TokenKind::kPercent) &&
           OperatorHere()) {
      const char* op = Cur().kind == TokenKind::kStar    ? "mul"
                       : Cur().kind == TokenKind::kSlash ? "div"
                                                         : "rem";
      Location loc = Loc();
      Next();
      auto rhs = ParseUnary();
      if (!rhs.ok()) return rhs;
      t = MakeCall(op, loc, std::move(t), std::move(rhs).value());
    }
    return t;
  }

  Result<Term> ParseUnary() {
    if (Cur().kind == TokenKind::kMinus) {
      Location loc = Loc();
      Next();
      if (Cur().kind == TokenKind::kNumber && !Cur().space_before) {
        auto t = ParsePrimary();
        if (!t.ok()) return t;
        Term n = std::move(t).value();
        if (n.kind == TermKind::kScalar) {
          n.value = n.value.is_int() ? Value::Int(-n.value.int_value())
                                     : Value::Double(-n.value.number());
          n.loc = loc;
          return n;
        }
        Term zero;
        zero.value = Value::Int(0);
        zero.loc = loc;
        return MakeCall("minus", loc, std::move(zero), std::move(n));
      }
      auto t = ParseUnary();
      if (!t.ok()) return t;
      Term zero;
      zero.value = Value::Int(0);
      zero.loc = loc;
      return MakeCall("minus", loc, std::move(zero), std::move(t).value());
    }
    return ParsePrimary();
  }

  Result<Term> ParsePrimary() {
    if (++depth_ > kMaxDepth) return Error(Cur(), "nesting too deep");
    auto r = ParsePrimaryInner();
    --depth_;
    return r;
  }

  Result<Term> ParsePrimaryInner() {
    Term t;
    t.loc = Loc();
    const Token& tok = Cur();
    switch (tok.kind) {
      case TokenKind::kNumber: {
        const std::string& s = tok.text;
        if (s.find_first_of(".eE") == std::string::npos && s.size() < 19) {
          t.value = Value::Int(std::strtoll(s.c_str(), nullptr, 10));
        } else {
          t.value = Value::Double(std::strtod(s.c_str(), nullptr));
        }
        Next();
        break;
      }
      case TokenKind::kString:
      case TokenKind::kRawString:
        t.value = Value::String(tok.text);
        Next();
        break;
      case TokenKind::kIdent: {
        if (tok.text == "true" || tok.text == "false") {
          t.value = Value::Bool(tok.text == "true");
          Next();
          break;
        }
        if (tok.text == "null") {
          t.value = Value::Null();
          Next();
          break;
        }
        if (tok.text == "set" && Peek().kind == TokenKind::kLParen &&
            Peek(2).kind == TokenKind::kRParen) {
          t.kind = TermKind::kSet;
          Next();
          Next();
          Next();
          break;
        }
        bool call_of_contains = tok.text == "contains" && Peek().kind == TokenKind::kLParen &&
                                !Peek().space_before;
        if (kKeywords.count(tok.text) && !call_of_contains) return Unexpected(tok);
        t.kind = TermKind::kVar;
        t.name = tok.text;
        Next();
        break;
      }
      case TokenKind::kLParen: {
        Next();
        Group g(this);
        auto inner = ParseTermIn();
        if (!inner.ok()) return inner;
        t = std::move(inner).value();
        BATON_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
        break;
      }
      case TokenKind::kLBracket: {
        auto r = ParseArrayLike();
        if (!r.ok()) return r;
        t = std::move(r).value();
        break;
      }
      case TokenKind::kLBrace: {
        auto r = ParseBraceLike();
        if (!r.ok()) return r;
        t = std::move(r).value();
        break;
      }
      default:
        return Unexpected(tok);
    }
    return ParsePostfix(std::move(t));
  }

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

  static bool DottedName(const Term& t, std::string* out) {
    if (t.kind == TermKind::kVar) {
      *out = t.name;
      return true;
    }
    if (t.kind != TermKind::kRef || t.items[0].kind != TermKind::kVar) return false;
    std::string name = t.items[0].name;
    for (size_t i = 1; i < t.items.size(); ++i) {
      const Term& p = t.items[i];
      if (p.kind != TermKind::kScalar || !p.value.is_string() || !p.name.empty()) return false;
      name += "." + p.value.str();
    }
    *out = name;
    return true;
  }

  Result<Term> ParsePostfix(Term t) {
    while (true) {
      const Token& tok = Cur();
      if (tok.kind == TokenKind::kDot && !tok.space_before) {
        Next();
        if (Cur().kind != TokenKind::kIdent || Cur().space_before) {
          return Error(Cur(), "expected field name after `.`");
        }
        Term key;
        key.loc = Loc();
        key.value = Value::String(Cur().text);
        Next();
        t = AppendRef(std::move(t), std::move(key));
      } else if (tok.kind == TokenKind::kLBracket && !tok.newline_before && !tok.space_before) {
        Next();
        Group g(this);
        auto key = ParseTermIn();
        if (!key.ok()) return key;
        Term k = std::move(key).value();
        if (k.kind == TermKind::kScalar) k.name = "[]";  // marks a bracketed key: not a call name
        BATON_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "]"));
        t = AppendRef(std::move(t), std::move(k));
      } else if (tok.kind == TokenKind::kLParen && !tok.space_before) {
        std::string name;
        if (!DottedName(t, &name)) return Error(tok, "only named functions can be called");
        Term call;
        call.kind = TermKind::kCall;
        call.loc = t.loc;
        call.name = name;
        Next();
        Group g(this);
        while (Cur().kind != TokenKind::kRParen) {
          auto a = ParseTermIn();
          if (!a.ok()) return a;
          call.items.push_back(std::move(a).value());
          if (Cur().kind == TokenKind::kComma) {
            Next();
          } else if (Cur().kind != TokenKind::kRParen) {
            return Error(Cur(), "expected , or ) in call arguments");
          }
        }
        Next();
        t = std::move(call);
      } else {
        return t;
      }
    }
  }

  static Term AppendRef(Term t, Term key) {
    if (t.kind != TermKind::kRef) {
      Term r;
      r.kind = TermKind::kRef;
      r.loc = t.loc;
      r.items.push_back(std::move(t));
      t = std::move(r);
    }
    t.items.push_back(std::move(key));
    return t;
  }

  Result<Term> ParseHead() {
    bool saved = allow_pipe_;
    allow_pipe_ = false;
    auto r = ParseTermIn();
    allow_pipe_ = saved;
    return r;
  }

  Result<Term> ParseArrayLike() {
    Term t;
    t.loc = Loc();
    t.kind = TermKind::kArray;
    Next();
    Group g(this);
    if (Cur().kind == TokenKind::kRBracket) {
      Next();
      return t;
    }
    size_t start = pos_;
    auto first = ParseHead();
    if (!first.ok()) return first;
    if (Cur().kind == TokenKind::kPipe) {
      Next();
      auto body = ParseQuery(TokenKind::kRBracket);
      if (body.ok() && Cur().kind == TokenKind::kRBracket) {
        t.kind = TermKind::kArrayCompr;
        t.items.push_back(std::move(first).value());
        t.body = std::make_shared<Body>(std::move(body).value());
        Next();
        return t;
      }
      // Not a comprehension after all: `[a | b, ...]` is a set union, as OPA's parser decides.
      pos_ = start;
      first = ParseTermIn();
      if (!first.ok()) return body.ok() ? first : Result<Term>(body.status());
    }
    t.items.push_back(std::move(first).value());
    BATON_RETURN_IF_ERROR(ParseRest(t, TokenKind::kRBracket, false));
    return t;
  }

  // Remaining `, elem` (or `, key: value`) items up to `end`, allowing a trailing comma.
  Status ParseRest(Term& t, TokenKind end, bool pairs) {
    while (Cur().kind == TokenKind::kComma) {
      Next();
      if (Cur().kind == end) break;
      auto e = ParseTermIn();
      if (!e.ok()) return e.status();
      t.items.push_back(std::move(e).value());
      if (pairs) {
        BATON_RETURN_IF_ERROR(Expect(TokenKind::kColon, ": in object"));
        auto v = ParseTermIn();
        if (!v.ok()) return v.status();
        t.items.push_back(std::move(v).value());
      }
    }
    if (Cur().kind != end) return Unexpected(Cur());
    Next();
    return Status::OK();
  }

  Result<Term> ParseBraceLike() {
    Term t;
    t.loc = Loc();
    t.kind = TermKind::kObject;
    Next();
    Group g(this);
    if (Cur().kind == TokenKind::kRBrace) {
      Next();
      return t;
    }
    size_t start = pos_;
    auto first = ParseHead();
    if (!first.ok()) return first;
    t.items.push_back(std::move(first).value());
    if (Cur().kind == TokenKind::kColon) {
      Next();
      auto v = ParseHead();
      if (!v.ok()) return v;
      t.items.push_back(std::move(v).value());
      if (Cur().kind == TokenKind::kPipe) {
        Next();
        t.kind = TermKind::kObjectCompr;
        auto body = ParseQuery(TokenKind::kRBrace);
        if (!body.ok()) return body.status();
        t.body = std::make_shared<Body>(std::move(body).value());
        BATON_RETURN_IF_ERROR(Expect(TokenKind::kRBrace, "}"));
        return t;
      }
      BATON_RETURN_IF_ERROR(ParseRest(t, TokenKind::kRBrace, true));
      return t;
    }
    if (Cur().kind == TokenKind::kPipe) {
      Next();
      auto body = ParseQuery(TokenKind::kRBrace);
      if (body.ok() && Cur().kind == TokenKind::kRBrace) {
        t.kind = TermKind::kSetCompr;
        t.body = std::make_shared<Body>(std::move(body).value());
        Next();
        return t;
      }
      pos_ = start;
      auto again = ParseTermIn();
      if (!again.ok()) return body.ok() ? again : Result<Term>(body.status());
      t.items[0] = std::move(again).value();
    }
    t.kind = TermKind::kSet;
    BATON_RETURN_IF_ERROR(ParseRest(t, TokenKind::kRBrace, false));
    return t;
  }

  std::string_view file_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int group_ = 0;
  bool allow_pipe_ = true;
  int depth_ = 0;
};

}  // namespace

Result<Module> ParseModule(std::string_view file, std::string_view source) {
  auto toks = Lex(file, source);
  if (!toks.ok()) return toks.status();
  return Parser(file, std::move(toks).value()).Run();
}

}  // namespace baton::policy
