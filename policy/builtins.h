// policy/builtins.h
//
// The table of Rego built-in functions (and the operators, which Rego also treats as functions:
// plus, equal, internal.member_2, ...). A built-in returns false when its result is undefined,
// which includes every runtime error (OPA's default, non-strict behaviour). Pure and thread-safe.
#pragma once

#include <string_view>

#include "policy/value.h"

namespace re2 {
class RE2;
}

namespace baton::policy {

struct BuiltinArgs {
  const Value* args;
  size_t count;
  const re2::RE2* regex;  // the precompiled first argument of regex built-ins, or nullptr
};

using BuiltinFn = bool (*)(const BuiltinArgs& a, Value* out);

struct Builtin {
  std::string_view name;
  int arity;
  BuiltinFn fn;
  bool regex_first_arg = false;  // the compiler precompiles a constant first argument
};

// nullptr when `name` is not a known built-in.
const Builtin* FindBuiltin(std::string_view name);

// Registration tables of each built-in family (builtins_*.cc).
struct BuiltinTable {
  const Builtin* entries;
  size_t size;
};
BuiltinTable CoreBuiltins();     // operators, aggregates, types, collections
BuiltinTable StringBuiltins();   // strings, sprintf, regex, glob
BuiltinTable TimeBuiltins();     // time.*

}  // namespace baton::policy
