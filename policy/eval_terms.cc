// policy/eval_terms.cc: terms, references, calls, comprehensions and unification.
#include "policy/builtins.h"
#include "policy/evaluator.h"

namespace baton::policy {

namespace {
constexpr int kMaxDepth = 400;

std::string Where(const Term& t) {
  return " (line " + std::to_string(t.loc.line) + ", column " + std::to_string(t.loc.col) + ")";
}
}  // namespace

bool Evaluator::EvalTerm(const Term& t, Frame& f, ValueK k) {
  switch (t.kind) {
    case TermKind::kScalar:
      return k(t.value);
    case TermKind::kVar:
      switch (t.binding) {
        case VarBinding::kLocal: {
          const Value& v = f[static_cast<size_t>(t.slot)];
          if (!v.defined()) return Fail("var " + t.name + " is unsafe (not bound)" + Where(t));
          return k(v);
        }
        case VarBinding::kInput:
          return state_.input.defined() ? k(state_.input) : true;
        case VarBinding::kData: {
          Value v = MergedValue(&policy_.root, state_.data);
          return error_.ok() ? k(v) : false;
        }
        case VarBinding::kRule: {
          Value v = RuleValue(t.rule);
          if (!error_.ok()) return false;
          return v.defined() ? k(v) : true;
        }
        case VarBinding::kUnresolved:
          return Fail("unresolved name " + t.name + Where(t));
      }
      return false;
    case TermKind::kRef:
      return EvalRef(t, f, k);
    case TermKind::kArray:
    case TermKind::kSet:
    case TermKind::kObject: {
      ValueVector vals(t.items.size());
      return EvalItems(t.items, 0, f, vals.data(), [&]() {
        if (t.kind == TermKind::kArray) return k(Value::Array(vals));
        if (t.kind == TermKind::kSet) return k(Value::Set(vals));
        ObjectEntries entries;
        entries.reserve(vals.size() / 2);
        for (size_t i = 0; i + 1 < vals.size(); i += 2) entries.emplace_back(vals[i], vals[i + 1]);
        return k(Value::Object(std::move(entries)));
      });
    }
    case TermKind::kArrayCompr:
    case TermKind::kSetCompr:
    case TermKind::kObjectCompr:
      return EvalCompr(t, f, k);
    case TermKind::kCall:
      return EvalCall(t, f, k);
  }
  return false;
}

bool Evaluator::EvalItems(const std::vector<Term>& items, size_t i, Frame& f, Value* out, K k) {
  if (i == items.size()) return k();
  return EvalTerm(items[i], f, [&](const Value& v) {
    out[i] = v;
    return EvalItems(items, i + 1, f, out, k);
  });
}

bool Evaluator::EvalCompr(const Term& t, Frame& f, ValueK k) {
  ValueVector vals;
  ObjectEntries entries;
  bool ok = EvalBody(*t.body, 0, f, [&]() {
    if (t.kind == TermKind::kObjectCompr) {
      return EvalTerm(t.items[0], f, [&](const Value& key) {
        return EvalTerm(t.items[1], f, [&](const Value& val) {
          for (const auto& [ek, ev] : entries) {
            if (ek == key && !(ev == val)) {
              return Fail("object comprehension produced conflicting values for key " +
                          key.ToRego() + Where(t));
            }
          }
          entries.emplace_back(key, val);
          return true;
        });
      });
    }
    return EvalTerm(t.items[0], f, [&](const Value& v) {
      vals.push_back(v);
      return true;
    });
  });
  if (!ok && !error_.ok()) return false;
  if (t.kind == TermKind::kArrayCompr) return k(Value::Array(std::move(vals)));
  if (t.kind == TermKind::kSetCompr) return k(Value::Set(std::move(vals)));
  return k(Value::Object(std::move(entries)));
}

bool Evaluator::EvalRef(const Term& t, Frame& f, ValueK k) {
  const Term& head = t.items[0];
  if (head.kind == TermKind::kVar) {
    switch (head.binding) {
      case VarBinding::kLocal: {
        const Value& v = f[static_cast<size_t>(head.slot)];
        if (!v.defined()) return Fail("var " + head.name + " is unsafe (not bound)" + Where(head));
        Value hold = v;  // the slot may be rebound while we walk
        return WalkPath(hold, t, 1, f, k);
      }
      case VarBinding::kInput:
        if (!state_.input.defined()) return true;
        {
          Value hold = state_.input;
          return WalkPath(hold, t, 1, f, k);
        }
      case VarBinding::kRule: {
        Value v = RuleValue(head.rule);
        if (!error_.ok()) return false;
        if (!v.defined()) return true;
        return WalkPath(v, t, 1, f, k);
      }
      case VarBinding::kData: {
        Value base = state_.data;
        return WalkData(&policy_.root, base, t, 1, f, k);
      }
      case VarBinding::kUnresolved:
        return Fail("unresolved name " + head.name + Where(head));
    }
  }
  return EvalTerm(head, f, [&](const Value& v) { return WalkPath(v, t, 1, f, k); });
}

bool Evaluator::WalkPath(const Value& v, const Term& ref, size_t i, Frame& f, ValueK k) {
  if (i == ref.items.size()) return k(v);
  const Term& key = ref.items[i];
  if (key.kind == TermKind::kScalar) {
    const Value* c = v.Index(key.value);
    return c ? WalkPath(*c, ref, i + 1, f, k) : true;
  }
  if (key.kind == TermKind::kVar && key.binding == VarBinding::kLocal &&
      !f[static_cast<size_t>(key.slot)].defined()) {
    Value& slot = f[static_cast<size_t>(key.slot)];
    return Iterate(v, [&](const Value& kv, const Value& ev) {
      slot = kv;
      bool r = WalkPath(ev, ref, i + 1, f, k);
      slot = Value();
      return r;
    });
  }
  if (IsPattern(key, f)) {
    // e.g. xs[[a, b]]: unify each member with the pattern.
    return Iterate(v, [&](const Value& kv, const Value& ev) {
      return UnifyValue(key, kv, f, [&]() { return WalkPath(ev, ref, i + 1, f, k); });
    });
  }
  return EvalTerm(key, f, [&](const Value& kv) {
    const Value* c = v.Index(kv);
    return c ? WalkPath(*c, ref, i + 1, f, k) : true;
  });
}

bool Evaluator::WalkData(const PackageNode* node, const Value& base, const Term& ref, size_t i,
                         Frame& f, ValueK k) {
  if (!node) return base.defined() ? WalkPath(base, ref, i, f, k) : true;
  if (i == ref.items.size()) {
    Value v = MergedValue(node, base);
    return error_.ok() ? k(v) : false;
  }
  const Term& key = ref.items[i];
  auto step = [&](const Value& kv) {
    if (kv.is_string()) {
      auto r = node->rules.find(kv.str());
      if (r != node->rules.end()) {
        if (r->second->kind == RuleKind::kFunction) return true;
        Value v = RuleValue(r->second);
        if (!error_.ok()) return false;
        return v.defined() ? WalkPath(v, ref, i + 1, f, k) : true;
      }
      auto c = node->children.find(kv.str());
      if (c != node->children.end()) {
        const Value* b = base.Get(std::string_view(kv.str()));
        return WalkData(&c->second, b ? *b : Value(), ref, i + 1, f, k);
      }
    }
    const Value* b = base.Index(kv);
    return b ? WalkPath(*b, ref, i + 1, f, k) : true;
  };
  if (key.kind == TermKind::kScalar) return step(key.value);
  if (IsPattern(key, f)) {
    Value v = MergedValue(node, base);
    return error_.ok() ? WalkPath(v, ref, i, f, k) : false;
  }
  return EvalTerm(key, f, step);
}

bool Evaluator::EvalCall(const Term& t, Frame& f, ValueK k) {
  if (++depth_ > kMaxDepth) {
    --depth_;
    return Fail("evaluation too deep (recursive functions?)" + Where(t));
  }
  constexpr size_t kInlineArgs = 4;
  Value inline_args[kInlineArgs];
  ValueVector heap_args;
  size_t n = t.items.size();
  Value* args = inline_args;
  if (n > kInlineArgs) {
    heap_args.resize(n);
    args = heap_args.data();
  }
  bool r = EvalItems(t.items, 0, f, args, [&]() {
    if (t.builtin) {
      Value out;
      BuiltinArgs a{args, n, t.regex.get()};
      if (!t.builtin->fn(a, &out)) return true;  // built-in error: undefined
      return k(out);
    }
    return CallFunction(t.rule, args, n, k);
  });
  --depth_;
  return r;
}

bool Evaluator::IsPattern(const Term& t, const Frame& f) const {
  switch (t.kind) {
    case TermKind::kVar:
      return t.binding == VarBinding::kLocal && !f[static_cast<size_t>(t.slot)].defined();
    case TermKind::kArray:
      for (const auto& i : t.items) {
        if (IsPattern(i, f)) return true;
      }
      return false;
    case TermKind::kObject:
      for (size_t i = 1; i < t.items.size(); i += 2) {
        if (IsPattern(t.items[i], f)) return true;
      }
      return false;
    default:
      return false;
  }
}

bool Evaluator::Unify(const Term& a, const Term& b, Frame& f, K k) {
  if (IsPattern(a, f)) {
    if (IsPattern(b, f) && b.kind == TermKind::kVar) {
      return Fail("cannot unify two unbound variables" + Where(a));
    }
    return EvalTerm(b, f, [&](const Value& v) { return UnifyValue(a, v, f, k); });
  }
  if (IsPattern(b, f)) {
    return EvalTerm(a, f, [&](const Value& v) { return UnifyValue(b, v, f, k); });
  }
  return EvalTerm(a, f, [&](const Value& x) {
    return EvalTerm(b, f, [&](const Value& y) { return x == y ? k() : true; });
  });
}

bool Evaluator::UnifyValue(const Term& p, const Value& v, Frame& f, K k) {
  switch (p.kind) {
    case TermKind::kVar:
      if (p.binding == VarBinding::kLocal) {
        Value& slot = f[static_cast<size_t>(p.slot)];
        if (slot.defined()) return slot == v ? k() : true;
        slot = v;
        bool r = k();
        f[static_cast<size_t>(p.slot)] = Value();
        return r;
      }
      break;
    case TermKind::kArray:
      if (!IsPattern(p, f)) break;
      if (!v.is_array() || v.items().size() != p.items.size()) return true;
      return UnifyItems(p, v, 0, f, k);
    case TermKind::kObject:
      if (!IsPattern(p, f)) break;
      if (!v.is_object() || v.entries().size() * 2 != p.items.size()) return true;
      return UnifyItems(p, v, 0, f, k);
    default:
      break;
  }
  return EvalTerm(p, f, [&](const Value& x) { return x == v ? k() : true; });
}

bool Evaluator::UnifyItems(const Term& p, const Value& v, size_t i, Frame& f, K k) {
  if (p.kind == TermKind::kArray) {
    if (i == p.items.size()) return k();
    return UnifyValue(p.items[i], v.items()[i], f,
                      [&]() { return UnifyItems(p, v, i + 1, f, k); });
  }
  if (i >= p.items.size()) return k();
  return EvalTerm(p.items[i], f, [&](const Value& key) {
    const Value* ev = v.Get(key);
    if (!ev) return true;
    return UnifyValue(p.items[i + 1], *ev, f, [&]() { return UnifyItems(p, v, i + 2, f, k); });
  });
}

}  // namespace baton::policy
