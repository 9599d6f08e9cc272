// server/cli/logging.h
//
// Process-wide logging set-up, called once from a command: spdlog to stderr (never stdout, which
// carries the MCP protocol in stdio mode) or to a file.
#pragma once

#include <string>

#include "base/status.h"

namespace baton {

// level: trace, debug, info, warn, error, off. file: empty for stderr.
Status SetUpLogging(const std::string& level, const std::string& file, const std::string& process);

}  // namespace baton
