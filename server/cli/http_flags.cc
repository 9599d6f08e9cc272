#include "server/cli/http_flags.h"

#include <cstdlib>
#include <sstream>
#include <vector>

#include "base/parse_number.h"
#include "server/front_end.h"
#include "transport/http_auth.h"

namespace baton {

namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

Status ParseAddress(const std::string& addr, const std::string& flag, std::string& host,
                    int& port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument(flag + " needs HOST:PORT, got " + addr);
  host = addr.substr(0, colon);
  if (host.empty()) host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  BATON_ASSIGN_OR_RETURN(int64_t v, ParseInt64(addr.substr(colon + 1), flag + "'s port", 0, 65535));
  port = static_cast<int>(v);
  return Status::OK();
}

}  // namespace

Status HttpOptionsFromFlags(const Flags& flags, const std::string& addr, const std::string& flag,
                            transport::HttpServerOptions* options) {
  BATON_RETURN_IF_ERROR(ParseAddress(addr, flag, options->host, options->port));
  if (auto file = flags.Get("tokens-file")) {
    BATON_ASSIGN_OR_RETURN(options->access.tokens, transport::BearerTokens::ParseFile(*file));
  } else if (const char* env = std::getenv("BATON_HTTP_TOKENS"); env && *env) {
    BATON_ASSIGN_OR_RETURN(options->access.tokens, transport::BearerTokens::ParseEnv(env));
  }
  if (!transport::IsLoopbackHost(options->host) && options->access.tokens.empty())
    return Status::InvalidArgument(
        "binding " + options->host + " is not loopback: configure bearer tokens first "
        "(--tokens-file FILE or BATON_HTTP_TOKENS); see docs/http.md");
  options->access.allowed_origins = SplitList(flags.Get("allowed-origins").value_or(""));
  options->access.allowed_hosts = SplitList(flags.Get("allowed-hosts").value_or(""));
  if (!transport::IsLoopbackHost(options->host)) {
    if (options->host != "0.0.0.0" && options->host != "::")
      options->access.allowed_hosts.push_back(options->host);
    options->access.any_host = options->access.allowed_hosts.empty();
  }
  options->access.local_principal = LocalUser();
  return Status::OK();
}

std::string HttpBaseUrl(const std::string& host, int port) {
  return "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

}  // namespace baton
