// policy/builtins.cc
#include "policy/builtins.h"

#include <map>

namespace baton::policy {

const Builtin* FindBuiltin(std::string_view name) {
  static const auto* kTable = [] {
    auto* m = new std::map<std::string_view, const Builtin*>();
    for (BuiltinTable t : {CoreBuiltins(), StringBuiltins(), TimeBuiltins()}) {
      for (size_t i = 0; i < t.size; ++i) (*m)[t.entries[i].name] = &t.entries[i];
    }
    return m;
  }();
  auto it = kTable->find(name);
  return it == kTable->end() ? nullptr : it->second;
}

}  // namespace baton::policy
