// server/serve_flags.h
//
// Flags every `baton serve` mode shares beyond the transport's own: the policy check
// (--policy DIR, --policy-data FILE, --policy-query REF, --opa-url URL, --opa-timeout-ms N)
// and event publishing (server/event_flags.h).
#pragma once

#include <set>
#include <string>

#include "base/status.h"
#include "server/flags.h"
#include "server/policy_guard.h"

namespace baton {

// The valued flag names of the policy and event options.
std::set<std::string> SharedServeFlagNames();
// Fills `options` from the policy flags; InvalidArgument naming the bad one.
Status ApplyPolicyFlags(const Flags& flags, PolicyOptions* options);

inline constexpr const char* kSharedServeUsage =
    "       [--policy DIR] [--policy-data FILE] [--policy-query data.baton]\n"
    "       [--opa-url http://127.0.0.1:8181/v1/data/baton] [--opa-timeout-ms 2000]\n"
    "       [--nats URL] [--nats-instance NAME] [--nats-stream NAME] ...\n"
    "       [--max-wait 110] [--progress-interval 5] [--no-channels] [--prefer-legacy-protocol]\n";

}  // namespace baton
