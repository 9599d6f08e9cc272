// server/events/notify_template.h
//
// The templates of `baton notify` (argv, webhook URL, header values and body): "{{path}}" is
// replaced by the event payload's field at `path` ("type", "job_id", "queue", "job.state",
// "job.command" (an array, joined with spaces), "job.exit_code", ...), "{{subject}}" by the
// NATS subject, "{{json}}" by the whole payload and "{{env.NAME}}" by the notifier's environment
// variable NAME (keeps tokens out of config files). A missing field expands to nothing.
// Pure functions (the environment aside).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace baton {

// Expands the templates of `text` against an event payload and its subject.
std::string ExpandTemplate(const std::string& text, const nlohmann::json& payload,
                           const std::string& subject);

// A JSON template (a webhook body from the config file) expanded string value by string value,
// so it stays valid JSON whatever the event contains.
nlohmann::json ExpandJsonTemplate(const nlohmann::json& tmpl, const nlohmann::json& payload,
                                  const std::string& subject);

}  // namespace baton
