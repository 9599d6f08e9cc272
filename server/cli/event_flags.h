// server/cli/event_flags.h
//
// The command-line face of event publishing (`--nats URL` and its options), shared by the
// commands that host a runner (`baton runner`, `baton serve --http`) and by front-ends that start
// one on demand (`baton serve --stdio` forwards them to the runner it starts).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "server/events/event_drainer.h"
#include "server/cli/flags.h"

namespace baton {

// nats, nats-instance, nats-stream, nats-max-age, nats-max-bytes, nats-dup-window.
const std::set<std::string>& EventFlagNames();
// nullopt without --nats; InvalidArgument naming the bad flag.
Result<std::optional<NatsOptions>> NatsOptionsFromFlags(const Flags& flags);
// The same flags, as arguments for a runner started on demand.
std::vector<std::string> EventFlagsAsArgs(const Flags& flags);

}  // namespace baton
