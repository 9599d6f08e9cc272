// base/sha256.h
//
// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex. Baton needs it only for the digest of
// each policy decision's input; computing it here keeps OpenSSL's provider machinery (about 2 MB
// of resident code and tables once initialized) out of every front-end. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace baton {

std::string Sha256Hex(std::string_view data);

}  // namespace baton
