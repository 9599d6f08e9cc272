// policy/compiler.h
//
// Compile groups parsed modules into rule sets and resolves every name in place: local variables to
// frame slots, rule names to rule sets, calls to built-ins or user functions, import aliases to
// data/input references; it also precompiles constant regexes and hoists the arguments of calls
// under `not` out of the negation, as OPA's compiler does. Errors name file:line:col. Pure.
#pragma once

#include <memory>
#include <vector>

#include "base/result.h"
#include "policy/compiled_policy.h"

namespace baton::policy {

Result<std::shared_ptr<const CompiledPolicy>> Compile(std::vector<Module> modules);

}  // namespace baton::policy
