// server/cli/news_flags.h
//
// The command-line face of job news in the agent's session (issue 9), shared by
// `baton serve --stdio` and `baton serve --http`:
//   --max-wait SECONDS           cap of a status wait (default 110: under Claude Code's 120 s,
//                                after which an interactive session backgrounds the call)
//   --progress-interval SECONDS  progress notifications while a status waits (default 5, at
//                                most 10: Claude Code's idle watchdog resets on each)
//   --no-channels                do not declare or send Claude Code channel messages
//   --prefer-legacy-protocol     answer server/discover with -32601 so that dual-era clients
//                                (Claude Code) fall back to initialize: the 2025 path, where
//                                channels work
#pragma once

#include <optional>
#include <set>
#include <string>

#include "base/result.h"
#include "server/cli/flags.h"
#include "server/mcp/mcp_server.h"

namespace baton {

struct NewsOptions {
  std::optional<int64_t> max_wait_ms;
  std::optional<int64_t> progress_interval_ms;
  bool channels = true;
  bool prefer_legacy = false;
};

// max-wait, progress-interval.
const std::set<std::string>& NewsFlagNames();
// no-channels, prefer-legacy-protocol.
const std::set<std::string>& NewsSwitchNames();
// InvalidArgument naming the bad flag.
Result<NewsOptions> NewsOptionsFromFlags(const Flags& flags);
// Channels and the era preference.
void ApplyNewsOptions(const NewsOptions& options, McpServer& server);

}  // namespace baton
