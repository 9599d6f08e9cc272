// server/cli/serve_http.h
//
// `baton serve --http ADDR`: MCP over Streamable HTTP for many clients, with the job runner
// hosted in this process (unless another runner already serves the database).
#pragma once

#include "server/cli/flags.h"

namespace baton {

// Valued flags ServeHttp reads (serve_command.cc parses them).
inline constexpr const char* kServeHttpUsage =
    "       baton serve --http HOST:PORT [--db PATH] [--tokens-file FILE]\n"
    "         [--allowed-origins URL,...] [--allowed-hosts NAME,...] [--concurrency N]\n"
    "         [--max-body-bytes N] [--log-level info] [--log-file FILE]\n"
    "       MCP at /mcp, Prometheus metrics at /metrics (docs/metrics.md)\n"
    "       bearer tokens: --tokens-file FILE (lines `PRINCIPAL TOKEN`) or the environment\n"
    "       variable BATON_HTTP_TOKENS=PRINCIPAL=TOKEN,...; required unless HOST is loopback\n";

int ServeHttp(const Flags& flags);

}  // namespace baton
