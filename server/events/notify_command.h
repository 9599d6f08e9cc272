// server/events/notify_command.h
//
// `baton notify`: a notifier subscriber. It reads job events (docs/events.md) from the JetStream
// stream through a durable pull consumer (explicit ack, ack wait, max deliveries, subject filter)
// and runs one action per event:
//   - a command (argv, no shell) with the event JSON on stdin, or
//   - an HTTP webhook (POST by default) whose body is the event JSON or a template.
// An action that fails (non-zero exit, non-2xx status, timeout) is retried through JetStream:
// the message is Nak'ed with the next delay of a Svix-like schedule (5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h, 10 h) and redelivered, so retries survive a notifier restart; after the last
// delivery the message is terminated and logged. Successful actions are acked.
//
// Templates: in argv, header values and the body, "{{path}}" is replaced by the payload field at
// `path` ("type", "job_id", "queue", "job.state", "job.command" (joined with spaces),
// "job.exit_code", ...), "{{subject}}" by the NATS subject, "{{json}}" by the whole payload and
// "{{env.NAME}}" by the notifier's environment variable NAME (keeps tokens out of config files;
// the URL is templated too).
// A body given as a JSON object in the config file is templated value by value, so it stays
// valid JSON whatever the event contains.
//
// Configuration: flags and/or a JSON file (--config FILE; flags override it); see
// `baton notify --help` and examples/notifiers/. Not thread-safe: one notifier per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"

namespace baton {

struct WebhookAction {
  std::string url;  // http:// or https://
  std::string method = "POST";
  std::map<std::string, std::string> headers;  // values are templates
  // Empty: the event JSON. A string: a text template. An object or array: a JSON template.
  std::string body_text;
  std::optional<std::string> body_json;  // serialized JSON template (from the config file)
  int64_t timeout_ms = 10000;
};

struct CommandAction {
  std::vector<std::string> argv;  // templates; argv[0] looked up in PATH
  int64_t timeout_ms = 60000;
};

struct NotifyConfig {
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string instance = "default";
  std::string stream;                    // empty: as the drainer names it (BATON_EVENTS...)
  std::string durable = "baton-notify";  // consumer name: the notifier's place in the stream
  std::string filter;                    // empty: "baton.<instance>.job.>"
  std::vector<std::string> events;       // event types to act on (others are acked); empty = all
  bool deliver_all = false;              // a new consumer starts at the stream's start (else new)
  int64_t ack_wait_ms = 120000;          // must exceed the action's timeout
  // Delay before the 2nd, 3rd, ... delivery after a failure (Svix-like by default).
  std::vector<int64_t> retry_schedule_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000,
                                            36000000};
  int max_deliver = 0;     // 0: retry_schedule_ms.size() + 1
  int64_t idle_exit_ms = 0;  // exit after this long without events; 0 = run until SIGINT/SIGTERM
  std::optional<WebhookAction> webhook;
  std::optional<CommandAction> command;
};

// Parses the arguments after `notify` (reading --config first). InvalidArgument with a message
// naming the flag or field at fault; none or both actions is an error.
Result<NotifyConfig> ParseNotifyArgs(const std::vector<std::string>& args);

// "500ms", "5s", "2m", "1h" (a bare number is seconds) -> milliseconds.
std::optional<int64_t> ParseDurationMs(const std::string& text);

// Expands the templates of `text` against an event payload and its subject.
std::string ExpandTemplate(const std::string& text, const nlohmann::json& payload,
                           const std::string& subject);

// Runs the notifier until `stop` becomes true, or idle_exit_ms passes without an event.
// Unavailable only when it never managed to subscribe before stopping; other errors
// (a consumer config the server refuses) are returned at once.
Status RunNotifier(const NotifyConfig& config, const std::atomic<bool>& stop);

// `baton notify ARGS...`: parses, runs until SIGINT/SIGTERM (or idle exit) and returns the exit
// status: 0 after a clean stop, 2 for a usage error, 1 for a runtime error.
int RunNotifyCommand(const std::vector<std::string>& args);

}  // namespace baton
