// policy/not_hoister.h
//
// NotHoister rewrites `not` expressions the way OPA's compiler does: the arguments of calls under
// `not` (references, nested calls, rule values) are bound to fresh variables *before* the
// negation, so `not f(input.missing)` is undefined rather than true. The equality operator keeps
// its direct reference operands inside (`not input.x == 1` is true when input.x is missing), as in
// OPA. Works on parsed bodies before name resolution. Not thread-safe (holds a counter).
#pragma once

#include <vector>

#include "policy/ast.h"

namespace baton::policy {

class NotHoister {
 public:
  void Body(policy::Body& body);

 private:
  void Expr(policy::Expr& e);
  void Term(policy::Term& t);

  void HoistNot(policy::Expr& e, std::vector<policy::Expr>& out, const std::vector<With>& withs);
  void HoistInRef(policy::Term& ref, std::vector<policy::Expr>& out, const std::vector<With>& withs);
  // Replaces a call or ref argument by a fresh variable bound before the negation.
  void HoistArg(policy::Term& a, std::vector<policy::Expr>& out, const std::vector<With>& withs);
  int counter_ = 0;
};

}  // namespace baton::policy
