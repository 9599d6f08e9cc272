// policy/ast.h
//
// The Rego syntax tree: modules, rules, body expressions and terms. The parser builds it; the
// compiler then resolves names in place (variable slots, rule sets, built-ins, regexes) so that the
// evaluator never looks names up by string. Immutable after compilation; safe to share across threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/value.h"

namespace re2 {
class RE2;
}

namespace baton::policy {

struct Builtin;
struct RuleSet;
struct Expr;
using Body = std::vector<Expr>;

struct Location {
  int line = 0;
  int col = 0;
};

enum class TermKind {
  kScalar,       // value
  kVar,          // name
  kRef,          // items[0] = head term, items[1..] = path terms
  kArray,        // items
  kSet,          // items
  kObject,       // items = key0, value0, key1, value1, ...
  kArrayCompr,   // items[0] = head, body
  kSetCompr,     // items[0] = head, body
  kObjectCompr,  // items[0] = key, items[1] = value, body
  kCall,         // name = dotted function name, items = arguments
};

// How a variable name was resolved by the compiler.
enum class VarBinding { kUnresolved, kLocal, kInput, kData, kRule };

struct Term {
  TermKind kind = TermKind::kScalar;
  Location loc;
  Value value;
  std::string name;
  std::vector<Term> items;
  std::shared_ptr<Body> body;

  // Filled in by the compiler.
  VarBinding binding = VarBinding::kUnresolved;
  int slot = -1;
  const RuleSet* rule = nullptr;        // kVar bound to a rule; kCall of a user function
  const Builtin* builtin = nullptr;     // kCall of a built-in
  std::shared_ptr<const re2::RE2> regex;  // precompiled constant pattern of a regex built-in
};

enum class ExprKind {
  kTerm,    // terms[0]; true unless undefined or false
  kUnify,   // terms[0] = terms[1]
  kAssign,  // terms[0] := terms[1]
  kNot,     // sub[0]
  kSome,    // `some a, b` declarations: terms are the vars
  kSomeIn,  // some [terms[0],] terms[1] in terms[2]  (has_key says whether terms[0] is used)
  kEvery,   // every [terms[0],] terms[1] in terms[2] { body }
};

struct With {
  Term target;  // a ref rooted at input or data
  Term value;
};

struct Expr {
  ExprKind kind = ExprKind::kTerm;
  Location loc;
  std::vector<Term> terms;
  std::vector<Expr> sub;  // kNot: the negated expression
  std::shared_ptr<Body> body;  // kEvery
  bool has_key = false;
  std::vector<With> withs;
};

enum class RuleKind { kComplete, kPartialSet, kPartialObject, kFunction };

struct Rule {
  RuleKind kind = RuleKind::kComplete;
  Location loc;
  std::string name;
  bool is_default = false;
  std::vector<Term> args;   // kFunction parameters
  Term key;                 // kPartialSet element, kPartialObject key
  Term value;               // value (true when the head has none)
  bool has_body = false;
  Body body;
  std::unique_ptr<Rule> else_rule;
  int num_slots = 0;        // frame size, set by the compiler (covers the else chain)
};

struct Import {
  Location loc;
  std::vector<std::string> path;  // e.g. {"data", "mcp", "authz"}
  std::string alias;              // last path element unless `as` was given
};

struct Module {
  std::string file;
  std::vector<std::string> package;  // without the leading "data"
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Rule>> rules;
};

}  // namespace baton::policy
