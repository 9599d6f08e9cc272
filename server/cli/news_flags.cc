#include "server/cli/news_flags.h"

namespace baton {

const std::set<std::string>& NewsFlagNames() {
  static const std::set<std::string> kNames = {"max-wait", "progress-interval"};
  return kNames;
}

const std::set<std::string>& NewsSwitchNames() {
  static const std::set<std::string> kNames = {"no-channels", "prefer-legacy-protocol"};
  return kNames;
}

Result<NewsOptions> NewsOptionsFromFlags(const Flags& flags) {
  NewsOptions o;
  if (flags.Get("max-wait")) {
    BATON_ASSIGN_OR_RETURN(double s, flags.Number("max-wait", 0));
    if (!(s >= 1 && s <= 3600))
      return Status::InvalidArgument("--max-wait must be a number of seconds from 1 to 3600");
    o.max_wait_ms = static_cast<int64_t>(s * 1000);
  }
  if (flags.Get("progress-interval")) {
    BATON_ASSIGN_OR_RETURN(double s, flags.Number("progress-interval", 0));
    if (!(s >= 0.05 && s <= 10))
      return Status::InvalidArgument(
          "--progress-interval must be a number of seconds from 0.05 to 10 (Claude Code's idle "
          "watchdog needs one at least every 10 s)");
    o.progress_interval_ms = static_cast<int64_t>(s * 1000);
  }
  o.channels = !flags.Has("no-channels");
  o.prefer_legacy = flags.Has("prefer-legacy-protocol");
  return o;
}

void ApplyNewsOptions(const NewsOptions& options, McpServer& server) {
  server.SetChannels(options.channels);
  server.SetPreferLegacy(options.prefer_legacy);
}

}  // namespace baton
