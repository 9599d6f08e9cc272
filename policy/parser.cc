// policy/parser.cc: modules, imports, rules and bodies (expressions and terms: parser_terms.cc).
#include "policy/parser.h"

#include "policy/parser_impl.h"

namespace baton::policy {

const std::set<std::string, std::less<>> kKeywords = {
    "package", "import", "as", "default", "if", "else", "contains", "some", "in",
    "every", "not", "with", "true", "false", "null"};

Result<Module> Parser::Run() {
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

Result<std::unique_ptr<Rule>> Parser::ParseRule() {
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

Status Parser::ParseRuleBody(Rule& rule) {
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

Result<Body> Parser::ParseQuery(TokenKind end) {
  int saved_group = group_;
  bool saved_pipe = allow_pipe_;
  group_ = 0;
  allow_pipe_ = true;
  auto r = ParseQueryInner(end);
  group_ = saved_group;
  allow_pipe_ = saved_pipe;
  return r;
}

Result<Body> Parser::ParseQueryInner(TokenKind end) {
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

Result<Expr> Parser::ParseLiteral() {
  if (++depth_ > kMaxParseDepth) return Error(Cur(), "nesting too deep");
  auto r = ParseLiteralInner();
  --depth_;
  return r;
}

Result<Expr> Parser::ParseLiteralInner() {
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

Result<Expr> Parser::ParseExpr() {
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

Result<Module> ParseModule(std::string_view file, std::string_view source) {
  auto toks = Lex(file, source);
  if (!toks.ok()) return toks.status();
  return Parser(file, std::move(toks).value()).Run();
}

}  // namespace baton::policy
