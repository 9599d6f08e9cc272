#include "transport/http_auth.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/parse_number.h"

namespace baton::transport {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ (i < b.size() ? b[i] : 0);
  return diff == 0;
}

Status CheckToken(const std::string& principal, const std::string& token, const std::string& where) {
  if (principal.empty() || token.empty())
    return Status::InvalidArgument(where + ": expected a principal and a token");
  if (token.size() < 16)
    return Status::InvalidArgument(where + ": the token of \"" + principal +
                                   "\" is shorter than 16 characters; use e.g. `openssl rand -hex 32`");
  return Status::OK();
}

}  // namespace

Result<BearerTokens> BearerTokens::ParseFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the tokens file " + path);
  BearerTokens t;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string principal, token, extra;
    fields >> principal >> token >> extra;
    std::string where = path + ":" + std::to_string(n);
    if (!extra.empty()) return Status::InvalidArgument(where + ": expected `PRINCIPAL TOKEN`");
    BATON_RETURN_IF_ERROR(CheckToken(principal, token, where));
    t.Add(principal, token);
  }
  if (t.empty()) return Status::InvalidArgument("the tokens file " + path + " holds no tokens");
  return t;
}

Result<BearerTokens> BearerTokens::ParseEnv(const std::string& value) {
  BearerTokens t;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos)
      return Status::InvalidArgument("BATON_HTTP_TOKENS: expected PRINCIPAL=TOKEN pairs");
    std::string principal = Trim(item.substr(0, eq)), token = Trim(item.substr(eq + 1));
    BATON_RETURN_IF_ERROR(CheckToken(principal, token, "BATON_HTTP_TOKENS"));
    t.Add(principal, token);
  }
  return t;
}

std::string BearerTokens::PrincipalFor(const std::string& token) const {
  std::string found;
  for (const auto& [candidate, principal] : by_token_)
    if (ConstantTimeEquals(candidate, token)) found = principal;
  return found;
}

std::string HostWithoutPort(const std::string& h) {
  if (!h.empty() && h[0] == '[') {
    size_t close = h.find(']');
    return close == std::string::npos ? h : h.substr(0, close + 1);
  }
  size_t colon = h.find(':');
  if (colon != std::string::npos && h.find(':', colon + 1) == std::string::npos)
    return h.substr(0, colon);
  return h;
}

namespace {

// A literal IPv4 address in 127.0.0.0/8 in plain dotted-quad form (four decimal parts 0-255, no
// leading zeros). Names are never matched by prefix: `127.attacker.example` resolves wherever its
// owner wants (DNS rebinding), while a literal address cannot be rebound.
bool IsLoopbackIpv4Literal(const std::string& h) {
  int parts = 0;
  size_t i = 0;
  int first = -1;
  while (i <= h.size()) {
    size_t dot = h.find('.', i);
    if (dot == std::string::npos) dot = h.size();
    std::string part = h.substr(i, dot - i);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    for (char c : part)
      if (c < '0' || c > '9') return false;
    auto value = ParseInt64(part, "an IPv4 address part", 0, 255);
    if (!value.ok()) return false;
    if (parts == 0) first = static_cast<int>(*value);
    ++parts;
    i = dot + 1;
    if (dot == h.size()) break;
  }
  return parts == 4 && first == 127;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string h = host;
  std::transform(h.begin(), h.end(), h.begin(), ::tolower);
  return h == "localhost" || h == "::1" || h == "[::1]" || IsLoopbackIpv4Literal(h);
}

AccessVerdict HttpAccess::Check(const std::string& host, const std::string& origin,
                                const std::string& authorization) const {
  AccessVerdict v;
  if (!options_.any_host) {
    std::string name = HostWithoutPort(Trim(host));
    bool ok = IsLoopbackHost(name) ||
              std::find(options_.allowed_hosts.begin(), options_.allowed_hosts.end(), name) !=
                  options_.allowed_hosts.end();
    if (!ok) return {403, "Forbidden: Host \"" + host + "\" is not served here", ""};
  }
  if (!origin.empty()) {
    bool ok = std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(), origin) !=
              options_.allowed_origins.end();
    if (!ok) {
      // http(s)://loopback[:port] is always allowed.
      size_t scheme = origin.find("://");
      std::string rest = scheme == std::string::npos ? "" : origin.substr(scheme + 3);
      std::string s = scheme == std::string::npos ? "" : origin.substr(0, scheme);
      ok = (s == "http" || s == "https") && rest.find('/') == std::string::npos &&
           IsLoopbackHost(HostWithoutPort(rest));
    }
    if (!ok) return {403, "Forbidden: Origin \"" + origin + "\" is not allowed", ""};
  }
  if (options_.tokens.empty()) {
    v.principal = options_.local_principal;
    return v;
  }
  const std::string kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                  [](char a, char b) { return ::tolower(a) == ::tolower(b); }))
    return {401, "Unauthorized: send `Authorization: Bearer <token>`", ""};
  v.principal = options_.tokens.PrincipalFor(Trim(authorization.substr(kBearer.size())));
  if (v.principal.empty()) return {401, "Unauthorized: unknown token", ""};
  return v;
}

}  // namespace baton::transport
