// policy/compiler.cc
#include "policy/compiler.h"

#include <algorithm>

#include <re2/re2.h>

#include "policy/builtins.h"
#include "policy/not_hoister.h"
#include "policy/lexer.h"

namespace baton::policy {

const PackageNode* CompiledPolicy::FindPackage(const std::vector<std::string>& path) const {
  const PackageNode* n = &root;
  for (const auto& p : path) {
    auto it = n->children.find(p);
    if (it == n->children.end()) return nullptr;
    n = &it->second;
  }
  return n;
}

std::vector<const RuleSet*> CompiledPolicy::Tests() const {
  std::vector<const RuleSet*> out;
  for (const auto& rs : rule_sets) {
    if (rs->name.rfind("test_", 0) == 0 && rs->kind == RuleKind::kComplete) out.push_back(rs.get());
  }
  std::sort(out.begin(), out.end(), [](const RuleSet* a, const RuleSet* b) { return a->path < b->path; });
  return out;
}

namespace {

// ---- name resolution -------------------------------------------------------------------------

class RuleCompiler {
 public:
  RuleCompiler(CompiledPolicy& pol, const Module& mod) : pol_(pol), mod_(mod) {}

  Status CompileRule(Rule& rule) {
    next_slot_ = 0;
    for (Rule* r = &rule; r; r = r->else_rule.get()) {
      scopes_.clear();
      scopes_.emplace_back();
      for (auto& a : r->args) DeclarePattern(a, /*fresh_scope_check=*/false);
      ResolveBody(r->body);
      size_t mark = scopes_[0].size();
      if (r->kind == RuleKind::kPartialSet || r->kind == RuleKind::kPartialObject) {
        Resolve(r->key);
      }
      Resolve(r->value);
      if (scopes_[0].size() != mark && status_.ok()) {
        status_ = Error(r->loc, "rule `" + r->name + "` has a head variable not bound by its body");
      }
      if (!status_.ok()) return status_;
    }
    rule.num_slots = next_slot_;
    return status_;
  }

 private:
  Status Error(Location loc, std::string_view msg) const {
    return Status::InvalidArgument(Locate(mod_.file, loc.line, loc.col, msg));
  }
  void Fail(Location loc, std::string_view msg) {
    if (status_.ok()) status_ = Error(loc, msg);
  }

  int Lookup(const std::string& name) const {
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
      for (const auto& [n, slot] : *s) {
        if (n == name) return slot;
      }
    }
    return -1;
  }
  void BindLocal(Term& t, int slot) {
    t.binding = VarBinding::kLocal;
    t.slot = slot;
  }
  int Declare(const std::string& name) {
    int slot = next_slot_++;
    scopes_.back().emplace_back(name, slot);
    return slot;
  }

  // Vars of `:=`, `some`, function parameters: always new locals of the current scope.
  void DeclarePattern(Term& t, bool fresh_scope_check) {
    switch (t.kind) {
      case TermKind::kVar:
        if (t.name == "_") {
          BindLocal(t, next_slot_++);
          return;
        }
        if (fresh_scope_check) {
          for (const auto& [n, slot] : scopes_.back()) {
            (void)slot;
            if (n == t.name) Fail(t.loc, "var " + t.name + " assigned above");
          }
        }
        BindLocal(t, Declare(t.name));
        return;
      case TermKind::kArray:
        for (auto& i : t.items) DeclarePattern(i, fresh_scope_check);
        return;
      case TermKind::kObject:
        for (size_t i = 0; i < t.items.size(); i += 2) {
          Resolve(t.items[i]);
          DeclarePattern(t.items[i + 1], fresh_scope_check);
        }
        return;
      case TermKind::kScalar:
        return;
      default:
        Fail(t.loc, "cannot assign to this expression");
    }
  }

  const Import* FindImport(const std::string& alias) const {
    for (const auto& imp : mod_.imports) {
      if (imp.alias == alias) return &imp;
    }
    return nullptr;
  }

  const RuleSet* RuleInPackage(const std::string& name) const {
    const PackageNode* pkg = pol_.FindPackage(mod_.package);
    if (!pkg) return nullptr;
    auto it = pkg->rules.find(name);
    return it == pkg->rules.end() ? nullptr : it->second;
  }

  // Rewrites a var that names an import into a ref rooted at input/data.
  void ExpandImport(Term& t, const Import& imp) {
    Term ref;
    ref.kind = TermKind::kRef;
    ref.loc = t.loc;
    Term head;
    head.kind = TermKind::kVar;
    head.loc = t.loc;
    head.name = imp.path[0];
    ref.items.push_back(std::move(head));
    for (size_t i = 1; i < imp.path.size(); ++i) {
      Term k;
      k.loc = t.loc;
      k.value = Value::String(imp.path[i]);
      ref.items.push_back(std::move(k));
    }
    t = std::move(ref);
  }

  void ResolveVar(Term& t) {
    if (t.name == "_") {
      BindLocal(t, next_slot_++);
      return;
    }
    int slot = Lookup(t.name);
    if (slot >= 0) return BindLocal(t, slot);
    if (const RuleSet* rs = RuleInPackage(t.name)) {
      if (rs->kind == RuleKind::kFunction) return Fail(t.loc, "function " + t.name + " used as a value");
      t.binding = VarBinding::kRule;
      t.rule = rs;
      return;
    }
    if (t.name == "input") {
      t.binding = VarBinding::kInput;
      return;
    }
    if (t.name == "data") {
      t.binding = VarBinding::kData;
      return;
    }
    BindLocal(t, Declare(t.name));
  }

  void Resolve(Term& t) {
    if (!status_.ok()) return;
    switch (t.kind) {
      case TermKind::kScalar:
        return;
      case TermKind::kVar:
        if (Lookup(t.name) < 0 && !RuleInPackage(t.name)) {
          if (const Import* imp = FindImport(t.name)) {
            ExpandImport(t, *imp);
            return Resolve(t);
          }
        }
        return ResolveVar(t);
      case TermKind::kRef:
        return ResolveRef(t);
      case TermKind::kArray:
      case TermKind::kSet:
      case TermKind::kObject:
        for (auto& i : t.items) Resolve(i);
        return Fold(t);
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr: {
        scopes_.emplace_back();
        ResolveBody(*t.body);
        for (auto& i : t.items) Resolve(i);
        scopes_.pop_back();
        return;
      }
      case TermKind::kCall:
        return ResolveCall(t);
    }
  }

  // A literal whose items are all constants becomes one constant value.
  static void Fold(Term& t) {
    for (const auto& i : t.items) {
      if (i.kind != TermKind::kScalar) return;
    }
    ValueVector vals;
    for (auto& i : t.items) vals.push_back(i.value);
    if (t.kind == TermKind::kArray) {
      t.value = Value::Array(std::move(vals));
    } else if (t.kind == TermKind::kSet) {
      t.value = Value::Set(std::move(vals));
    } else {
      ObjectEntries entries;
      for (size_t i = 0; i + 1 < vals.size(); i += 2) entries.emplace_back(vals[i], vals[i + 1]);
      t.value = Value::Object(std::move(entries));
    }
    t.kind = TermKind::kScalar;
    t.items.clear();
  }

  void ResolveRef(Term& t) {
    Term& head = t.items[0];
    if (head.kind == TermKind::kVar && Lookup(head.name) < 0 && !RuleInPackage(head.name)) {
      if (const Import* imp = FindImport(head.name)) {
        Term expanded = head;
        ExpandImport(expanded, *imp);
        std::vector<Term> items = std::move(expanded.items);
        for (size_t i = 1; i < t.items.size(); ++i) items.push_back(std::move(t.items[i]));
        t.items = std::move(items);
      }
    }
    Resolve(t.items[0]);
    if (t.items[0].kind == TermKind::kVar && t.items[0].binding == VarBinding::kData) {
      // Statically resolve data.pkg.rule to the rule set.
      const PackageNode* n = &pol_.root;
      for (size_t i = 1; i < t.items.size(); ++i) {
        const Term& k = t.items[i];
        if (k.kind != TermKind::kScalar || !k.value.is_string()) break;
        auto r = n->rules.find(k.value.str());
        if (r != n->rules.end()) {
          if (r->second->kind == RuleKind::kFunction) {
            return Fail(t.loc, "function " + r->second->name + " used as a value");
          }
          Term rule;
          rule.kind = TermKind::kVar;
          rule.loc = t.loc;
          rule.name = r->second->name;
          rule.binding = VarBinding::kRule;
          rule.rule = r->second;
          std::vector<Term> items;
          items.push_back(std::move(rule));
          for (size_t j = i + 1; j < t.items.size(); ++j) items.push_back(std::move(t.items[j]));
          t.items = std::move(items);
          break;
        }
        auto c = n->children.find(k.value.str());
        if (c == n->children.end()) break;
        n = &c->second;
      }
    }
    for (size_t i = 1; i < t.items.size(); ++i) Resolve(t.items[i]);
    if (t.items.size() == 1) {  // a ref that collapsed to its head
      Term h = std::move(t.items[0]);
      t = std::move(h);
    }
  }

  void ResolveCall(Term& t) {
    for (auto& a : t.items) Resolve(a);
    if (!status_.ok()) return;
    // User function: name in this package, through an import alias, or data.pkg.f.
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t dot = t.name.find('.', start);
      parts.push_back(t.name.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    const RuleSet* fn = nullptr;
    if (parts.size() == 1) {
      fn = RuleInPackage(parts[0]);
    } else {
      std::vector<std::string> path;
      if (parts[0] == "data") {
        path.assign(parts.begin() + 1, parts.end());
      } else if (const Import* imp = FindImport(parts[0]); imp && imp->path[0] == "data") {
        path.assign(imp->path.begin() + 1, imp->path.end());
        path.insert(path.end(), parts.begin() + 1, parts.end());
      }
      if (!path.empty()) {
        std::string name = path.back();
        path.pop_back();
        if (const PackageNode* pkg = pol_.FindPackage(path)) {
          auto it = pkg->rules.find(name);
          if (it != pkg->rules.end()) fn = it->second;
        }
      }
    }
    if (fn) {
      if (fn->kind != RuleKind::kFunction) return Fail(t.loc, t.name + " is not a function");
      if (fn->arity != t.items.size()) {
        return Fail(t.loc, "function " + t.name + " takes " + std::to_string(fn->arity) +
                               " arguments, got " + std::to_string(t.items.size()));
      }
      t.rule = fn;
      return;
    }
    const Builtin* b = FindBuiltin(t.name);
    if (!b) return Fail(t.loc, "undefined function " + t.name);
    if (b->arity >= 0 && static_cast<size_t>(b->arity) != t.items.size()) {
      return Fail(t.loc, "function " + t.name + " takes " + std::to_string(b->arity) +
                             " arguments, got " + std::to_string(t.items.size()));
    }
    t.builtin = b;
    if (b->regex_first_arg && t.items[0].kind == TermKind::kScalar && t.items[0].value.is_string()) {
      auto re = std::make_shared<re2::RE2>(t.items[0].value.str(), re2::RE2::Quiet);
      if (re->ok()) t.regex = std::move(re);
    }
  }

  void ResolveWithTarget(Term& target) {
    Term* head = target.kind == TermKind::kRef ? &target.items[0] : &target;
    bool ok = head->kind == TermKind::kVar && (head->name == "input" || head->name == "data");
    if (target.kind == TermKind::kRef) {
      for (size_t i = 1; i < target.items.size(); ++i) {
        const Term& k = target.items[i];
        ok = ok && k.kind == TermKind::kScalar && k.value.is_string();
      }
    }
    if (!ok) return Fail(target.loc, "`with` target must be input or data followed by field names");
    head->binding = head->name == "input" ? VarBinding::kInput : VarBinding::kData;
  }

  void ResolveExpr(Expr& e) {
    if (!status_.ok()) return;
    for (auto& w : e.withs) {
      ResolveWithTarget(w.target);
      Resolve(w.value);
    }
    switch (e.kind) {
      case ExprKind::kTerm:
        return Resolve(e.terms[0]);
      case ExprKind::kUnify:
        Resolve(e.terms[0]);
        return Resolve(e.terms[1]);
      case ExprKind::kAssign:
        Resolve(e.terms[1]);
        return DeclarePattern(e.terms[0], /*fresh_scope_check=*/true);
      case ExprKind::kNot:
        scopes_.emplace_back();
        ResolveExpr(e.sub[0]);
        scopes_.pop_back();
        return;
      case ExprKind::kSome:
        for (auto& t : e.terms) DeclarePattern(t, false);
        return;
      case ExprKind::kSomeIn:
        Resolve(e.terms[2]);
        if (e.has_key) DeclarePattern(e.terms[0], false);
        return DeclarePattern(e.terms[1], false);
      case ExprKind::kEvery:
        Resolve(e.terms[2]);
        scopes_.emplace_back();
        if (e.has_key) DeclarePattern(e.terms[0], false);
        DeclarePattern(e.terms[1], false);
        ResolveBody(*e.body);
        scopes_.pop_back();
        return;
    }
  }

  void ResolveBody(Body& body) {
    for (auto& e : body) ResolveExpr(e);
  }

  CompiledPolicy& pol_;
  const Module& mod_;
  std::vector<std::vector<std::pair<std::string, int>>> scopes_;
  int next_slot_ = 0;
  Status status_;
};

std::string Join(const std::vector<std::string>& path) {
  std::string s = "data";
  for (const auto& p : path) s += "." + p;
  return s;
}

}  // namespace

Result<std::shared_ptr<const CompiledPolicy>> Compile(std::vector<Module> modules) {
  auto pol = std::make_shared<CompiledPolicy>();
  pol->modules = std::move(modules);
  // Group definitions into rule sets and build the package tree.
  std::map<std::vector<std::string>, RuleSet*> by_path;
  for (auto& mod : pol->modules) {
    PackageNode* node = &pol->root;
    for (const auto& p : mod.package) node = &node->children[p];
    node->is_package = true;
    for (auto& rule : mod.rules) {
      NotHoister h;
      for (Rule* r = rule.get(); r; r = r->else_rule.get()) h.Body(r->body);
      std::vector<std::string> path = mod.package;
      path.push_back(rule->name);
      RuleSet*& rs = by_path[path];
      if (!rs) {
        if (node->children.count(rule->name)) {
          return Status::InvalidArgument(Locate(mod.file, rule->loc.line, rule->loc.col,
                                                "rule " + Join(path) + " conflicts with a package"));
        }
        pol->rule_sets.push_back(std::make_unique<RuleSet>());
        rs = pol->rule_sets.back().get();
        rs->path = path;
        rs->name = rule->name;
        rs->kind = rule->kind;
        rs->arity = rule->args.size();
        rs->index = pol->rule_sets.size() - 1;
        node->rules[rule->name] = rs;
      } else if (rs->kind != rule->kind || rs->arity != rule->args.size()) {
        return Status::InvalidArgument(Locate(mod.file, rule->loc.line, rule->loc.col,
                                              "conflicting rules " + Join(path) + " found"));
      }
      if (rule->is_default) {
        if (rs->default_rule) {
          return Status::InvalidArgument(Locate(mod.file, rule->loc.line, rule->loc.col,
                                                "multiple default rules " + Join(path) + " found"));
        }
        rs->default_rule = rule.get();
      } else {
        rs->defs.push_back(rule.get());
      }
    }
  }
  for (auto& mod : pol->modules) {
    for (auto& rule : mod.rules) {
      RuleCompiler rc(*pol, mod);
      BATON_RETURN_IF_ERROR(rc.CompileRule(*rule));
    }
  }
  return std::shared_ptr<const CompiledPolicy>(std::move(pol));
}

}  // namespace baton::policy
