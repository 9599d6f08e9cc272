// policy/parser.h
//
// ParseModule turns one Rego v1 source file into a Module (syntax only; names are resolved later by
// the compiler). Anything outside the supported subset is a parse error naming file:line:col.
// Pure function of its input.
#pragma once

#include <string_view>

#include "base/result.h"
#include "policy/ast.h"

namespace baton::policy {

Result<Module> ParseModule(std::string_view file, std::string_view source);

}  // namespace baton::policy
