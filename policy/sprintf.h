// policy/sprintf.h
//
// Go-compatible formatting for the Rego `sprintf` built-in and `%v` printing of numbers: OPA
// passes strings and numbers to Go's fmt as native values and everything else as Rego values
// (printed in Rego syntax). Pure.
#pragma once

#include <string>
#include <string_view>

#include "policy/value.h"

namespace baton::policy {

std::string GoSprintf(std::string_view format, const ValueVector& args);

}  // namespace baton::policy
