// policy/parser_terms.cc: expressions (operator precedence), terms, references, calls and
// collection literals and comprehensions, for the Parser of policy/parser_impl.h.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "policy/parser_impl.h"

namespace baton::policy {

Term Parser::MakeCall(std::string name, Location loc, Term a, Term b) {
  Term t;
  t.kind = TermKind::kCall;
  t.loc = loc;
  t.name = std::move(name);
  t.items.push_back(std::move(a));
  t.items.push_back(std::move(b));
  return t;
}

Result<Term> Parser::ParseTermIn() {
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

Result<Term> Parser::ParseRelation() {
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

Result<Term> Parser::ParseOr() {
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

Result<Term> Parser::ParseAnd() {
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

Result<Term> Parser::ParseArith() {
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

Result<Term> Parser::ParseFactor() {
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

Result<Term> Parser::ParseUnary() {
  if (Cur().kind == TokenKind::kMinus) {
    Location loc = Loc();
    Next();
    if (Cur().kind == TokenKind::kNumber && !Cur().space_before) {
      if (Cur().text == "9223372036854775808") {  // -2^63: the one int64 whose magnitude is not one
        Term n;
        n.value = Value::Int(INT64_MIN);
        n.loc = loc;
        Next();
        return n;
      }
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

Result<Term> Parser::ParsePrimary() {
  if (++depth_ > kMaxParseDepth) return Error(Cur(), "nesting too deep");
  auto r = ParsePrimaryInner();
  --depth_;
  return r;
}

Result<Term> Parser::ParsePrimaryInner() {
  Term t;
  t.loc = Loc();
  const Token& tok = Cur();
  switch (tok.kind) {
    case TokenKind::kNumber: {
      const std::string& s = tok.text;
      if (s.find_first_of(".eE") == std::string::npos) {
        // Integers are exact int64; one beyond it (OPA would keep a big number) is refused rather
        // than silently rounded.
        int64_t i = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (ec != std::errc() || end != s.data() + s.size()) {
          return Error(tok, "integer " + s + " is outside the 64-bit range (-9223372036854775808 to "
                            "9223372036854775807) that baton evaluates exactly; write it as a "
                            "decimal (e.g. 1.0e20) to accept a rounded value");
        }
        t.value = Value::Int(i);
      } else {
        double d = std::strtod(s.c_str(), nullptr);
        if (!std::isfinite(d)) return Error(tok, "number " + s + " is beyond the range of a double");
        t.value = Value::Double(d);
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

bool Parser::DottedName(const Term& t, std::string* out) {
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

Result<Term> Parser::ParsePostfix(Term t) {
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

Term Parser::AppendRef(Term t, Term key) {
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

Result<Term> Parser::ParseHead() {
  bool saved = allow_pipe_;
  allow_pipe_ = false;
  auto r = ParseTermIn();
  allow_pipe_ = saved;
  return r;
}

Result<Term> Parser::ParseArrayLike() {
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

Status Parser::ParseRest(Term& t, TokenKind end, bool pairs) {
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

Result<Term> Parser::ParseBraceLike() {
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

}  // namespace baton::policy
