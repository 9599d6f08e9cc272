// policy/compiled_policy.h
//
// CompiledPolicy is a set of parsed and name-resolved Rego modules, grouped into rule sets (all
// definitions of one rule name in one package) and a package tree for `data.*` lookups. Internal to
// policy/: callers hold it through the opaque handle in policy/policy.h. Immutable once built;
// safe to evaluate from several threads at once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "policy/ast.h"

namespace baton::policy {

struct RuleSet {
  std::vector<std::string> path;  // package path + rule name, without "data"
  std::string name;
  RuleKind kind = RuleKind::kComplete;
  std::vector<const Rule*> defs;  // non-default definitions (each may carry an else chain)
  const Rule* default_rule = nullptr;
  size_t arity = 0;  // functions only
  size_t index = 0;  // position in CompiledPolicy::rule_sets (evaluation cache slot)
};

struct PackageNode {
  std::map<std::string, PackageNode, std::less<>> children;
  std::map<std::string, const RuleSet*, std::less<>> rules;
  bool is_package = false;  // some module declares exactly this package
};

class CompiledPolicy {
 public:
  std::vector<Module> modules;
  std::vector<std::unique_ptr<RuleSet>> rule_sets;
  PackageNode root;

  // The node at `path` (without "data"), or nullptr.
  const PackageNode* FindPackage(const std::vector<std::string>& path) const;
  // All rule sets whose name starts with "test_" (opa test), in package and name order.
  std::vector<const RuleSet*> Tests() const;
};

}  // namespace baton::policy
