#include "server/events/notify_command.h"

#include <signal.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "base/clock.h"
#include "base/json_parse.h"
#include "server/events/notify_actions.h"
#include "transport/jetstream_consumer.h"

namespace baton {
namespace {

using nlohmann::json;
namespace t = baton::transport;

constexpr const char* kUsage = R"(usage: baton notify [flags]
  --config FILE            JSON config (examples/notifiers/); flags override it
  --nats URL               server (default nats://127.0.0.1:4222)
  --instance NAME          baton instance (default "default")
  --stream NAME            stream (default BATON_EVENTS, or BATON_EVENTS_<instance>)
  --durable NAME           durable consumer name (default baton-notify)
  --filter SUBJECT         subject filter (default baton.<instance>.job.>)
  --events a,b,...         event types to act on (default: all)
  --deliver all|new        where a new consumer starts (default new)
  --ack-wait DUR           (default 120s)  --max-deliver N  (default: schedule + 1)
  --retry-schedule D,D,... delays between deliveries (default 5s,5m,30m,2h,5h,10h,10h)
  --idle-exit DUR          exit after DUR without events (default: run until SIGTERM)
  --webhook URL            POST each event; --method M, --header 'K: V', --body TEMPLATE,
                           --timeout DUR (default 10s)
  --command ARGV...        run a command per event (event JSON on stdin); all remaining
                           arguments are its argv; --timeout DUR before it (default 60s)
)";

// Logs a settlement the server did not confirm: the event comes again after the ack wait
// (at-least-once), which the action's receiver must tolerate (the Idempotency-Key, the event id).
void WarnIfUnsettled(const Status& st) {
  if (!st.ok()) spdlog::warn("notify: {}; it may be delivered again after the ack wait", st.ToString());
}

void Handle(t::JetStreamMessage& msg, const NotifyConfig& c) {
  const std::string& subject = msg.subject();
  json payload = ParseJsonOrDiscarded(std::string(msg.data()));  // a NATS message is untrusted
  const uint64_t delivered = std::max<uint64_t>(msg.delivered(), 1);
  if (!payload.is_object()) {
    spdlog::warn("notify: {}: payload is not a JSON object; dropped", subject);
    WarnIfUnsettled(msg.Term());
    return;
  }
  const int64_t id = payload.value("id", int64_t{0});
  std::string type = payload.value("type", std::string());
  if (!c.events.empty() && std::find(c.events.begin(), c.events.end(), type) == c.events.end()) {
    WarnIfUnsettled(msg.Ack());
    return;
  }
  Status st = c.webhook ? RunWebhookAction(*c.webhook, payload, subject)
                        : RunCommandAction(*c.command, payload, subject);
  if (st.ok()) {
    spdlog::info("notify: event {} ({}) delivered", id, subject);
    WarnIfUnsettled(msg.Ack());
  } else if (static_cast<int64_t>(delivered) >= MaxDeliveries(c)) {
    spdlog::error("notify: event {} ({}) failed {} times, giving up: {}", id, subject, delivered,
                  st.message());
    WarnIfUnsettled(msg.Term());
  } else {
    int64_t delay = c.retry_schedule_ms.empty()
                        ? 0
                        : c.retry_schedule_ms[std::min<size_t>(delivered - 1,
                                                               c.retry_schedule_ms.size() - 1)];
    spdlog::warn("notify: event {} ({}) attempt {} failed, retry in {} ms: {}", id, subject,
                 delivered, delay, st.message());
    WarnIfUnsettled(msg.Nak(delay));
  }
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

Status RunNotifier(const NotifyConfig& config, const std::atomic<bool>& stop) {
  t::NatsOptions nats = config.nats;
  nats.client_name = "baton-notify-" + config.consumer.durable;
  t::JetStreamConsumerOptions options = config.consumer;
  options.max_deliver = MaxDeliveries(config);
  options.fetch_batch = 1;  // one at a time: a batch could outlive the ack wait while it runs
  BATON_ASSIGN_OR_RETURN(auto consumer, t::JetStreamConsumer::Create(nats, options));
  int64_t last_event = MonotonicMs();
  int64_t backoff_ms = 100;
  Status last = Status::Unavailable("notify: not subscribed yet");
  while (!stop) {
    if (config.idle_exit_ms > 0 && MonotonicMs() - last_event > config.idle_exit_ms) break;
    if (!consumer->subscribed()) {
      Status s = consumer->Subscribe();
      if (!s.ok()) {
        last = s;
        if (s.code() != StatusCode::kUnavailable && consumer->Connected())
          spdlog::warn("{}", s.ToString());  // e.g. the stream does not exist yet
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
        continue;
      }
      last = Status::OK();
      backoff_ms = 100;
      spdlog::info("notify: consuming {} {} as durable '{}'", consumer->stream(),
                   consumer->filter(), config.consumer.durable);
    }
    auto next = consumer->Next(500);
    if (!next.ok()) {  // disconnected (the connection reconnects by itself), or the consumer went
      if (consumer->Connected()) spdlog::warn("notify: {}", next.status().ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (!next->has_value()) continue;
    last_event = MonotonicMs();
    Handle(**next, config);
  }
  return last;
}

int RunNotifyCommand(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--command") break;
  }
  auto config = ParseNotifyArgs(args);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n%s", config.status().message().c_str(), kUsage);
    return 2;
  }
  struct sigaction sa {}, old_int {}, old_term {}, old_pipe {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);  // a command that does not read its stdin
  g_stop = false;
  Status st = RunNotifier(*config, g_stop);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace baton
