// policy/eval_rules.cc: rule values, function calls, bodies, expressions and `with`.
#include "policy/evaluator.h"

namespace baton::policy {

Evaluator::Evaluator(const CompiledPolicy& policy, Value input, Value data) : policy_(policy) {
  state_.input = std::move(input);
  state_.data = data.defined() ? std::move(data) : Value::Object({});
  state_.cache.resize(policy.rule_sets.size());
}

bool Evaluator::Fail(const std::string& message) {
  if (error_.ok()) error_ = Status::InvalidArgument(message);
  return false;
}

Value Evaluator::RuleValue(const RuleSet* rs) {
  for (const auto& [r, v] : state_.rule_overrides) {
    if (r == rs) return v;
  }
  CacheEntry& c = state_.cache[rs->index];
  if (c.state == CacheEntry::State::kDone) return c.value;
  if (c.state == CacheEntry::State::kBusy) {
    std::string name = "data";
    for (const auto& p : rs->path) name += "." + p;
    Fail("rule " + name + " depends on itself (recursion)");
    return Value();
  }
  c.state = CacheEntry::State::kBusy;
  Value v = ComputeRule(rs);
  CacheEntry& done = state_.cache[rs->index];
  done.state = CacheEntry::State::kDone;
  done.value = v;
  return v;
}

Value Evaluator::ComputeRule(const RuleSet* rs) {
  std::string name = "data";
  auto full_name = [&]() {
    for (const auto& p : rs->path) name += "." + p;
    return name;
  };
  switch (rs->kind) {
    case RuleKind::kComplete: {
      Value out;
      for (const Rule* def : rs->defs) {
        for (const Rule* r = def; r; r = r->else_rule.get()) {
          Frame f(static_cast<size_t>(def->num_slots));
          bool found = false;
          bool constant = r->value.kind == TermKind::kScalar;
          EvalBody(r->body, 0, f, [&]() {
            return EvalTerm(r->value, f, [&](const Value& v) {
              if (out.defined() && !(out == v)) {
                return Fail("complete rule " + full_name() +
                            " produced conflicting values (eval_conflict_error)");
              }
              out = v;
              found = true;
              return !constant;  // a constant value cannot conflict: stop at the first solution
            });
          });
          if (!error_.ok()) return Value();
          if (found) break;
        }
      }
      if (!out.defined() && rs->default_rule) {
        Frame f(static_cast<size_t>(rs->default_rule->num_slots));
        EvalTerm(rs->default_rule->value, f, [&](const Value& v) {
          out = v;
          return false;
        });
      }
      return out;
    }
    case RuleKind::kPartialSet: {
      ValueVector items;
      for (const Rule* def : rs->defs) {
        Frame f(static_cast<size_t>(def->num_slots));
        EvalBody(def->body, 0, f, [&]() {
          return EvalTerm(def->key, f, [&](const Value& v) {
            items.push_back(v);
            return true;
          });
        });
        if (!error_.ok()) return Value();
      }
      return Value::Set(std::move(items));
    }
    case RuleKind::kPartialObject: {
      ObjectEntries entries;
      for (const Rule* def : rs->defs) {
        Frame f(static_cast<size_t>(def->num_slots));
        EvalBody(def->body, 0, f, [&]() {
          return EvalTerm(def->key, f, [&](const Value& key) {
            return EvalTerm(def->value, f, [&](const Value& val) {
              for (const auto& [ek, ev] : entries) {
                if (ek == key && !(ev == val)) {
                  return Fail("object rule " + full_name() + " produced conflicting values for key " +
                              key.ToRego() + " (eval_conflict_error)");
                }
              }
              entries.emplace_back(key, val);
              return true;
            });
          });
        });
        if (!error_.ok()) return Value();
      }
      return Value::Object(std::move(entries));
    }
    case RuleKind::kFunction:
      return Value();
  }
  return Value();
}

bool Evaluator::UnifyArgs(const Rule& r, const Value* args, size_t n, size_t i, Frame& f, K k) {
  if (i == n) return k();
  return UnifyValue(r.args[i], args[i], f, [&]() { return UnifyArgs(r, args, n, i + 1, f, k); });
}

bool Evaluator::CallFunction(const RuleSet* fn, const Value* args, size_t n, ValueK k) {
  for (const MemoEntry& m : state_.memo) {
    if (m.fn != fn) continue;
    bool same = true;
    for (size_t i = 0; i < n && same; ++i) same = m.args[i] == args[i];
    if (same) return m.result.defined() ? k(m.result) : true;
  }
  Value out;
  for (const Rule* def : fn->defs) {
    for (const Rule* r = def; r; r = r->else_rule.get()) {
      Frame f(static_cast<size_t>(def->num_slots));
      bool found = false;
      UnifyArgs(*r, args, n, 0, f, [&]() {
        return EvalBody(r->body, 0, f, [&]() {
          return EvalTerm(r->value, f, [&](const Value& v) {
            if (out.defined() && !(out == v)) {
              return Fail("function " + fn->name +
                          " produced conflicting outputs for the same inputs (eval_conflict_error)");
            }
            out = v;
            found = true;
            return true;
          });
        });
      });
      if (!error_.ok()) return false;
      if (found) break;
    }
  }
  if (state_.memo.size() < 256) state_.memo.push_back({fn, ValueVector(args, args + n), out});
  return out.defined() ? k(out) : true;
}

bool Evaluator::EvalBody(const Body& body, size_t i, Frame& f, K k) {
  if (i == body.size()) return k();
  return EvalExpr(body[i], f, [&]() { return EvalBody(body, i + 1, f, k); });
}

namespace {
Value Patch(const Value& doc, const std::vector<Term>& path, size_t i, const Value& v) {
  if (i == path.size()) return v;
  const Value& key = path[i].value;
  ObjectEntries entries;
  if (doc.is_object()) entries = doc.entries();
  const Value* cur = doc.Get(key);
  Value child = Patch(cur ? *cur : Value(), path, i + 1, v);
  bool replaced = false;
  for (auto& [ek, ev] : entries) {
    if (ek == key) {
      ev = child;
      replaced = true;
    }
  }
  if (!replaced) entries.emplace_back(key, child);
  return Value::Object(std::move(entries));
}
}  // namespace

bool Evaluator::ApplyWith(const With& w, const Value& v) {
  const Term& t = w.target;
  static const std::vector<Term> kNoPath;
  const std::vector<Term>& items = t.kind == TermKind::kRef ? t.items : kNoPath;
  size_t start = t.kind == TermKind::kRef ? 1 : 0;
  std::vector<Term> path(items.begin() + static_cast<long>(start), items.end());
  const Term& head = t.kind == TermKind::kRef ? t.items[0] : t;
  if (head.binding == VarBinding::kInput) {
    state_.input = Patch(state_.input, path, 0, v);
    return true;
  }
  // data: a rule is replaced as a whole; anything else patches the base document.
  const PackageNode* node = &policy_.root;
  for (size_t i = 0; i < path.size() && node; ++i) {
    const std::string& key = path[i].value.str();
    auto r = node->rules.find(key);
    if (r != node->rules.end()) {
      if (i + 1 != path.size()) return Fail("`with` on a part of a rule's value is not supported");
      state_.rule_overrides.emplace_back(r->second, v);
      return true;
    }
    auto c = node->children.find(key);
    node = c == node->children.end() ? nullptr : &c->second;
  }
  state_.data = Patch(state_.data, path, 0, v);
  return true;
}

bool Evaluator::EvalExpr(const Expr& e, Frame& f, K k) {
  if (e.withs.empty()) return EvalExprNoWith(e, f, k);
  ValueVector vals(e.withs.size());
  for (size_t i = 0; i < e.withs.size(); ++i) {
    bool got = false;
    EvalTerm(e.withs[i].value, f, [&](const Value& v) {
      vals[i] = v;
      got = true;
      return false;
    });
    if (!error_.ok()) return false;
    if (!got) return true;  // an undefined `with` value makes the expression undefined
  }
  State outer = state_;
  state_.cache.assign(policy_.rule_sets.size(), CacheEntry());
  state_.memo.clear();
  for (size_t i = 0; i < e.withs.size(); ++i) {
    if (!ApplyWith(e.withs[i], vals[i])) return false;
  }
  bool r = EvalExprNoWith(e, f, [&]() {
    std::swap(state_, outer);
    bool c = k();
    std::swap(state_, outer);
    return c;
  });
  state_ = std::move(outer);
  return r;
}

bool Evaluator::Iterate(const Value& coll, FunctionRef<bool(const Value&, const Value&)> k) {
  switch (coll.kind()) {
    case ValueKind::kArray: {
      const auto& items = coll.items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (!k(Value::Int(static_cast<int64_t>(i)), items[i])) return false;
      }
      return true;
    }
    case ValueKind::kSet:
      for (const auto& x : coll.items()) {
        if (!k(x, x)) return false;
      }
      return true;
    case ValueKind::kObject:
      for (const auto& [ek, ev] : coll.entries()) {
        if (!k(ek, ev)) return false;
      }
      return true;
    default:
      return true;
  }
}

bool Evaluator::EvalExprNoWith(const Expr& e, Frame& f, K k) {
  switch (e.kind) {
    case ExprKind::kTerm:
      return EvalTerm(e.terms[0], f, [&](const Value& v) { return v.is_false() ? true : k(); });
    case ExprKind::kUnify:
      return Unify(e.terms[0], e.terms[1], f, k);
    case ExprKind::kAssign:
      return EvalTerm(e.terms[1], f, [&](const Value& v) { return UnifyValue(e.terms[0], v, f, k); });
    case ExprKind::kNot: {
      bool found = false;
      EvalExpr(e.sub[0], f, [&]() {
        found = true;
        return false;
      });
      if (!error_.ok()) return false;
      return found ? true : k();
    }
    case ExprKind::kSome:
      return k();
    case ExprKind::kSomeIn:
      return EvalTerm(e.terms[2], f, [&](const Value& coll) {
        Value hold = coll;
        return Iterate(hold, [&](const Value& key, const Value& val) {
          if (!e.has_key) return UnifyValue(e.terms[1], val, f, k);
          return UnifyValue(e.terms[0], key, f,
                            [&]() { return UnifyValue(e.terms[1], val, f, k); });
        });
      });
    case ExprKind::kEvery:
      return EvalTerm(e.terms[2], f, [&](const Value& coll) {
        Value hold = coll;
        bool all = true;
        bool ok = Iterate(hold, [&](const Value& key, const Value& val) {
          bool found = false;
          auto body = [&]() {
            return EvalBody(*e.body, 0, f, [&]() {
              found = true;
              return false;
            });
          };
          if (e.has_key) {
            UnifyValue(e.terms[0], key, f, [&]() { return UnifyValue(e.terms[1], val, f, body); });
          } else {
            UnifyValue(e.terms[1], val, f, body);
          }
          if (!error_.ok()) return false;
          if (!found) all = false;
          return found;
        });
        if (!error_.ok()) return false;
        (void)ok;
        return all ? k() : true;
      });
  }
  return false;
}

Value Evaluator::MergedValue(const PackageNode* node, const Value& base) {
  ObjectEntries entries;
  if (base.is_object()) entries = base.entries();
  auto put = [&](const std::string& key, Value v) {
    for (auto& [ek, ev] : entries) {
      if (ek.is_string() && ek.str() == key) {
        ev = std::move(v);
        return;
      }
    }
    entries.emplace_back(Value::String(key), std::move(v));
  };
  for (const auto& [name, child] : node->children) {
    const Value* b = base.Get(std::string_view(name));
    put(name, MergedValue(&child, b ? *b : Value()));
  }
  for (const auto& [name, rs] : node->rules) {
    if (rs->kind == RuleKind::kFunction) continue;
    Value v = RuleValue(rs);
    if (!error_.ok()) return Value();
    if (v.defined()) put(name, std::move(v));
  }
  return Value::Object(std::move(entries));
}

Value Evaluator::EvalDataPath(const std::vector<std::string>& path) {
  Term ref;
  ref.kind = TermKind::kRef;
  Term head;
  head.kind = TermKind::kVar;
  head.binding = VarBinding::kData;
  ref.items.push_back(head);
  for (const auto& p : path) {
    Term k;
    k.value = Value::String(p);
    ref.items.push_back(std::move(k));
  }
  Value out;
  Frame f;
  WalkData(&policy_.root, state_.data, ref, 1, f, [&](const Value& v) {
    out = v;
    return false;
  });
  return error_.ok() ? out : Value();
}

}  // namespace baton::policy
