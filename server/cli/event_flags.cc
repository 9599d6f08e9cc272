#include "server/cli/event_flags.h"

namespace baton {

const std::set<std::string>& EventFlagNames() {
  static const std::set<std::string> kNames = {"nats",          "nats-instance", "nats-stream",
                                               "nats-max-age",  "nats-max-bytes",
                                               "nats-dup-window"};
  return kNames;
}

Result<std::optional<NatsOptions>> NatsOptionsFromFlags(const Flags& flags) {
  auto url = flags.Get("nats");
  if (!url) return std::optional<NatsOptions>();
  NatsOptions o;
  o.url = *url;
  if (auto i = flags.Get("nats-instance")) o.instance = *i;
  if (auto s = flags.Get("nats-stream")) o.stream = *s;
  // Ranges keep the conversions to int64 milliseconds and bytes exact: 0 (age) and -1 (bytes)
  // mean unlimited; ten years of age is far beyond any stream's need.
  constexpr double kTenYearsSeconds = 10 * 365 * 86400.0;
  BATON_ASSIGN_OR_RETURN(double age, flags.Number("nats-max-age", o.max_age_ms / 1000.0, 0,
                                                  kTenYearsSeconds));
  BATON_ASSIGN_OR_RETURN(o.max_bytes, flags.Integer("nats-max-bytes", o.max_bytes, -1));
  BATON_ASSIGN_OR_RETURN(double dup, flags.Number("nats-dup-window",
                                                  o.duplicate_window_ms / 1000.0, 0,
                                                  kTenYearsSeconds));
  o.max_age_ms = static_cast<int64_t>(age * 1000);
  o.duplicate_window_ms = static_cast<int64_t>(dup * 1000);
  return std::optional<NatsOptions>(o);
}

std::vector<std::string> EventFlagsAsArgs(const Flags& flags) {
  std::vector<std::string> args;
  for (const std::string& name : EventFlagNames())
    if (auto v = flags.Get(name)) args.insert(args.end(), {"--" + name, *v});
  return args;
}

}  // namespace baton
