// server/cli/http_flags.h
//
// The HTTP listening flags `serve --http ADDR` and `web --listen ADDR` share: the address,
// bearer tokens (--tokens-file FILE or BATON_HTTP_TOKENS), --allowed-origins and
// --allowed-hosts, with one rule: a bind that is not loopback needs tokens (docs/http.md).
#pragma once

#include <string>

#include "base/status.h"
#include "server/cli/flags.h"
#include "transport/http_server.h"

namespace baton {

// Fills options->host, port and access from `addr` ("HOST:PORT", "[V6]:PORT", ":PORT") and the
// flags. `flag` names the address flag in errors ("--http", "--listen").
Status HttpOptionsFromFlags(const Flags& flags, const std::string& addr, const std::string& flag,
                            transport::HttpServerOptions* options);

// "http://HOST:PORT" for logs (IPv6 hosts in brackets).
std::string HttpBaseUrl(const std::string& host, int port);

}  // namespace baton
