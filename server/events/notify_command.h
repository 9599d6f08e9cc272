// server/events/notify_command.h
//
// `baton notify`: a notifier subscriber. It reads job events (docs/events.md) from the JetStream
// stream through a durable pull consumer (transport/jetstream_consumer.h: explicit ack, ack
// wait, max deliveries, subject filter) and runs one action per event
// (server/events/notify_actions.h):
//   - a command (argv, no shell) with the event JSON on stdin, or
//   - an HTTP webhook (POST by default) whose body is the event JSON or a template.
// An action that fails (non-zero exit, non-2xx status, timeout) is retried through JetStream:
// the message is Nak'ed with the next delay of a Svix-like schedule (5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h, 10 h) and redelivered, so retries survive a notifier restart; after the last
// delivery the message is terminated and logged. Successful actions are acked. A settlement the
// server does not confirm is logged: the event then comes again after the ack wait.
//
// Templates: server/events/notify_template.h. Configuration: server/events/notify_config.h,
// `baton notify --help` and examples/notifiers/. Not thread-safe: one notifier per call.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/events/notify_config.h"

namespace baton {

// Runs the notifier until `stop` becomes true, or idle_exit_ms passes without an event.
// Returns the last subscribe error when it never managed to subscribe before stopping
// (Unavailable while the server was unreachable), OK otherwise.
Status RunNotifier(const NotifyConfig& config, const std::atomic<bool>& stop);

// `baton notify ARGS...`: parses, runs until SIGINT/SIGTERM (or idle exit) and returns the exit
// status: 0 after a clean stop, 2 for a usage error, 1 for a runtime error.
int RunNotifyCommand(const std::vector<std::string>& args);

}  // namespace baton
