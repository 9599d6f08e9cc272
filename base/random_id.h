// base/random_id.h
//
// Unguessable identifiers (MCP session ids, task ids, runner ids) from the kernel's CSPRNG.
#pragma once

#include <string>

namespace baton {

// `bytes` random bytes as lowercase hex (2*bytes visible ASCII characters).
std::string RandomHexId(int bytes = 16);

}  // namespace baton
