// transport/http_auth.h
//
// Who may talk to the HTTP endpoint: bearer tokens mapped to principals, and the Origin/Host
// rules that protect a local server from DNS rebinding (2025-11-25 basic/transports.mdx,
// "Security Warning": invalid Origin -> 403). Tokens come from a file or an environment
// variable, never from the command line (where `ps` would show them).
//
// Token file format: one `PRINCIPAL TOKEN` pair per line; blank lines and `#` comments are
// ignored. Environment format: `PRINCIPAL=TOKEN[,PRINCIPAL=TOKEN...]`.
//
// Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace baton::transport {

class BearerTokens {
 public:
  static Result<BearerTokens> ParseFile(const std::string& path);
  static Result<BearerTokens> ParseEnv(const std::string& value);
  bool empty() const { return by_token_.empty(); }
  size_t size() const { return by_token_.size(); }
  // The principal a token maps to, or "" (compared in constant time per candidate).
  std::string PrincipalFor(const std::string& token) const;
  void Add(const std::string& principal, const std::string& token) { by_token_[token] = principal; }

 private:
  std::map<std::string, std::string> by_token_;
};

struct AccessOptions {
  BearerTokens tokens;                    // empty: no authentication (loopback only)
  std::vector<std::string> allowed_origins;  // exact origins ("https://app.example") besides loopback
  std::vector<std::string> allowed_hosts;    // Host names besides loopback (no port)
  bool any_host = false;                  // skip the Host check (non-loopback bind with tokens)
  std::string local_principal = "local";  // the principal of unauthenticated loopback calls
};

struct AccessVerdict {
  int status = 200;         // 200 allowed; 401, 403 refused
  std::string message;      // why refused
  std::string principal;    // who is calling, when allowed
};

class HttpAccess {
 public:
  explicit HttpAccess(AccessOptions options) : options_(std::move(options)) {}
  // host: the Host header; origin: the Origin header ("" when absent); authorization: the
  // Authorization header ("" when absent).
  AccessVerdict Check(const std::string& host, const std::string& origin,
                      const std::string& authorization) const;
  bool requires_token() const { return !options_.tokens.empty(); }

 private:
  AccessOptions options_;
};

// True for exactly `localhost`, a literal IPv4 address in 127.0.0.0/8 (dotted quad) and ::1
// (with or without brackets). Never a prefix match: `127.evil.example` is a name, not loopback.
bool IsLoopbackHost(const std::string& host);
// The host part of "host:port", "[v6]:port" or "host".
std::string HostWithoutPort(const std::string& host_header);

}  // namespace baton::transport
