// server/cli/serve_flags.h
//
// Flags every `baton serve` mode shares beyond the transport's own: the policy check
// (--policy DIR, --policy-data FILE, --policy-query REF, --opa-url URL, --opa-timeout-ms N)
// and event publishing (server/cli/event_flags.h).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "server/cli/flags.h"
#include "server/guard/policy_guard.h"

namespace baton {

// The valued flag names of the policy and event options, and --config.
std::set<std::string> SharedServeFlagNames();
// The valued flag names of the policy options alone (what `baton runner` accepts).
std::set<std::string> PolicyFlagNames();
// Fills `options` from the policy flags; InvalidArgument naming the bad one.
Status ApplyPolicyFlags(const Flags& flags, PolicyOptions* options);
// The policy flags given, as arguments for a runner started on demand: the runner checks the
// jobs it creates (schedule firings, compensations) with the same policy.
std::vector<std::string> PolicyFlagsAsArgs(const Flags& flags);
// --synchronous full|normal (default normal; see docs/guarantees.md): true for full.
Result<bool> SynchronousFullFlag(const Flags& flags);

inline constexpr const char* kSharedServeUsage =
    "       [--config FILE (default $XDG_CONFIG_HOME/baton/config.json when present)]\n"
    "       [--synchronous normal|full]\n"
    "       [--policy DIR] [--policy-data FILE] [--policy-query data.baton]\n"
    "       [--opa-url http://127.0.0.1:8181/v1/data/baton] [--opa-timeout-ms 2000]\n"
    "       [--nats URL] [--nats-instance NAME] [--nats-stream NAME] ...\n"
    "       [--max-wait 110] [--progress-interval 5] [--no-channels] [--prefer-legacy-protocol]\n";

}  // namespace baton
