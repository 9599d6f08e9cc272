// server/events/notify_actions.h
//
// The two actions `baton notify` runs per event (server/events/notify_command.h): a command
// (argv, no shell, started with base/child_process.h in its own process group) with the event
// JSON on stdin and BATON_EVENT_* in its environment, or an HTTP webhook (POST by default) whose
// body is the event JSON or a template (server/events/notify_template.h). Each call blocks
// until the action is done or its timeout passed. Thread-compatible.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "base/status.h"
#include "server/events/notify_config.h"

namespace baton {

// OK when the command exited 0. DeadlineExceeded when it outlived its timeout (its process group
// is then killed); Unavailable for another exit status or a signal; InvalidArgument when it
// could not be started (not found, not executable); Internal for a system error.
Status RunCommandAction(const CommandAction& action, const nlohmann::json& payload,
                        const std::string& subject);

// OK for a 2xx answer. Unavailable when the server could not be reached or answered otherwise;
// InvalidArgument for a URL that cannot be used. Logged URLs never include the path (it may
// hold a token).
Status RunWebhookAction(const WebhookAction& action, const nlohmann::json& payload,
                        const std::string& subject);

}  // namespace baton
