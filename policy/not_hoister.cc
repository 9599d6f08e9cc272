// policy/not_hoister.cc
#include "policy/not_hoister.h"

#include <string>

namespace baton::policy {

void NotHoister::Body(policy::Body& body) {
  policy::Body out;
  for (auto& e : body) {
    Expr(e);
    if (e.kind == ExprKind::kNot) {
      std::vector<policy::Expr> extra;
      HoistNot(e.sub[0], extra, e.withs);
      for (auto& x : extra) out.push_back(std::move(x));
    }
    out.push_back(std::move(e));
  }
  body = std::move(out);
}

void NotHoister::Expr(policy::Expr& e) {
  for (auto& t : e.terms) Term(t);
  for (auto& s : e.sub) Expr(s);
  if (e.body) Body(*e.body);
  for (auto& w : e.withs) Term(w.value);
}

void NotHoister::Term(policy::Term& t) {
  if (t.body) Body(*t.body);
  for (auto& i : t.items) Term(i);
}

void NotHoister::HoistNot(policy::Expr& e, std::vector<policy::Expr>& out, const std::vector<With>& withs) {
  if (e.kind == ExprKind::kNot) return;
  for (auto& t : e.terms) {
    if (t.kind == TermKind::kCall) {
      bool top_equal = t.name == "equal";
      for (auto& a : t.items) {
        if (top_equal && (a.kind == TermKind::kRef || a.kind == TermKind::kVar)) {
          HoistInRef(a, out, withs);
        } else {
          HoistArg(a, out, withs);
        }
      }
    } else if (t.kind == TermKind::kRef) {
      HoistInRef(t, out, withs);
    }
  }
}

void NotHoister::HoistInRef(policy::Term& ref, std::vector<policy::Expr>& out, const std::vector<With>& withs) {
  for (size_t i = 1; i < ref.items.size(); ++i) HoistArg(ref.items[i], out, withs);
}

void NotHoister::HoistArg(policy::Term& a, std::vector<policy::Expr>& out, const std::vector<With>& withs) {
  switch (a.kind) {
    case TermKind::kVar:
      if (a.name == "_" || a.name[0] == '$') return;
      [[fallthrough]];
    case TermKind::kCall:
    case TermKind::kRef: {
      if (a.kind == TermKind::kCall) {
        for (auto& x : a.items) HoistArg(x, out, withs);
      } else {
        HoistInRef(a, out, withs);
      }
      policy::Term var;
      var.kind = TermKind::kVar;
      var.loc = a.loc;
      var.name = "$h" + std::to_string(++counter_);
      policy::Expr bind;
      bind.kind = ExprKind::kUnify;
      bind.loc = a.loc;
      bind.terms.push_back(var);
      bind.terms.push_back(std::move(a));
      bind.withs = withs;
      out.push_back(std::move(bind));
      a = std::move(var);
      return;
    }
    case TermKind::kArray:
    case TermKind::kSet:
    case TermKind::kObject:
      for (auto& x : a.items) HoistArg(x, out, withs);
      return;
    default:
      return;
  }
}

}  // namespace baton::policy
