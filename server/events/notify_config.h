// server/events/notify_config.h
//
// What `baton notify` is told to do (server/events/notify_command.h): where the events are (the
// NATS options and the durable consumer), which events to act on, the retry schedule and the
// one action per event (a command or a webhook). Filled from flags and/or a JSON config file
// (--config FILE; flags override it); see `baton notify --help` and examples/notifiers/.
// Value types and pure functions (reading the --config file aside).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "transport/jetstream_consumer.h"
#include "transport/nats_options.h"

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
  // url (--nats), instance (--instance) and stream (--stream; empty: as the drainer names it).
  transport::NatsOptions nats;
  // durable (the notifier's place in the stream), filter (empty: "baton.<instance>.job.>"),
  // deliver_all (a new consumer starts at the stream's start, else at new events) and
  // ack_wait_ms (must exceed the action's timeout). Its max_deliver comes from max_deliver below.
  transport::JetStreamConsumerOptions consumer = {.durable = "baton-notify", .ack_wait_ms = 120000};
  std::vector<std::string> events;  // event types to act on (others are acked); empty = all
  // Delay before the 2nd, 3rd, ... delivery after a failure (Svix-like by default).
  std::vector<int64_t> retry_schedule_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000,
                                            36000000};
  int max_deliver = 0;       // 0: retry_schedule_ms.size() + 1
  int64_t idle_exit_ms = 0;  // exit after this long without events; 0 = run until SIGINT/SIGTERM
  std::optional<WebhookAction> webhook;
  std::optional<CommandAction> command;
};

// Parses the arguments after `notify` (reading --config first). InvalidArgument with a message
// naming the flag or field at fault; none or both actions is an error.
Result<NotifyConfig> ParseNotifyArgs(const std::vector<std::string>& args);

// "500ms", "5s", "2m", "1h" (a bare number is seconds) -> milliseconds.
std::optional<int64_t> ParseDurationMs(const std::string& text);

// Deliveries of one event at most: max_deliver, or the retry schedule plus the first delivery.
int64_t MaxDeliveries(const NotifyConfig& config);

}  // namespace baton
