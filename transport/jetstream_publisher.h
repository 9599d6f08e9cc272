// transport/jetstream_publisher.h
//
// JetStreamPublisher is the EventPublisher over NATS JetStream (nats.c). It owns one NATS
// connection that reconnects forever with capped exponential backoff (a server that is down at
// start is not an error: the connection keeps trying in the background), creates or updates the
// stream described by JetStreamOptions, and publishes asynchronously with `Nats-Msg-Id` set to
// each message's msg_id, keeping at most `max_in_flight` messages unacknowledged.
// Outcomes: a PubAck (including a duplicate PubAck) is OK; a timeout, a disconnection or a
// server error is "unknown" and the caller republishes with the same msg_id (see
// transport/event_publisher.h). Thread-safe.
//
// Also here, for the other NATS users in baton (the notify command, tests): the one translation
// of natsStatus to Status, unique_ptr handles for nats.c objects, and ConnectNats().
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "transport/event_publisher.h"

namespace baton::transport {

// --- nats.c glue -------------------------------------------------------------------------------

// natsStatus -> Status, with the operation name and the library's last error text (which holds
// the server's JetStream error description). Unreachable-server codes map to Unavailable.
Status FromNats(natsStatus s, std::string_view op);

struct NatsConnectionDeleter {
  void operator()(natsConnection* nc) const;  // closes, then destroys
};
struct NatsOptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
struct JsCtxDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct NatsSubscriptionDeleter {
  // Destroy, not Unsubscribe: a durable consumer survives its subscription.
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct NatsMsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
struct JsStreamInfoDeleter {
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
};
using NatsConnectionPtr = std::unique_ptr<natsConnection, NatsConnectionDeleter>;
using NatsOptionsPtr = std::unique_ptr<natsOptions, NatsOptionsDeleter>;
using JsCtxPtr = std::unique_ptr<jsCtx, JsCtxDeleter>;
using NatsSubscriptionPtr = std::unique_ptr<natsSubscription, NatsSubscriptionDeleter>;
using NatsMsgPtr = std::unique_ptr<natsMsg, NatsMsgDeleter>;
using JsStreamInfoPtr = std::unique_ptr<jsStreamInfo, JsStreamInfoDeleter>;

struct NatsConnectOptions {
  std::string url = "nats://127.0.0.1:4222";  // comma-separated list of servers allowed
  std::string client_name = "baton";
  int64_t connect_timeout_ms = 2000;
  // Reconnect forever: the n-th attempt waits min(reconnect_max_ms, reconnect_min_ms * 2^n),
  // with +-20% jitter (both bounds 1 ms .. 24 days).
  int64_t reconnect_min_ms = 100;
  int64_t reconnect_max_ms = 5000;
  // Bytes buffered while disconnected (nats.c default 8 MiB).
  int reconnect_buffer_bytes = 8 << 20;
};

// Opens a connection that reconnects forever. When the server is down it returns the
// connection anyway (it connects in the background) unless `require_connected`, in which case
// it is Unavailable. InvalidArgument for a malformed URL.
Result<NatsConnectionPtr> ConnectNats(const NatsConnectOptions& options, bool require_connected);

// --- The publisher ------------------------------------------------------------------------------

// Defaults, quoted by docs/events.md.
inline constexpr const char* kDefaultStreamName = "BATON_EVENTS";
inline constexpr int64_t kDefaultStreamMaxAgeMs = 7LL * 24 * 3600 * 1000;  // 7 days
inline constexpr int64_t kDefaultStreamMaxBytes = 1LL << 30;               // 1 GiB
// Republishing an event is deduplicated only inside this window: it must cover a NATS outage
// plus a baton restart. JetStream requires it to be <= max age.
inline constexpr int64_t kDefaultDuplicateWindowMs = 3600LL * 1000;  // 1 hour
inline constexpr int kDefaultMaxInFlight = 256;
inline constexpr int64_t kDefaultAckTimeoutMs = 5000;

struct JetStreamOptions {
  NatsConnectOptions connect;
  std::string stream = kDefaultStreamName;
  std::vector<std::string> subjects = {"baton.default.job.>"};
  int64_t max_age_ms = kDefaultStreamMaxAgeMs;  // 0 = unlimited
  int64_t max_bytes = kDefaultStreamMaxBytes;   // -1 = unlimited (the server's account limit)
  int64_t max_msgs = -1;                        // -1 = unlimited
  int64_t duplicate_window_ms = kDefaultDuplicateWindowMs;
  bool memory_storage = false;                  // file storage survives a server restart
  int max_in_flight = kDefaultMaxInFlight;      // unacknowledged publishes at a time
  int64_t ack_timeout_ms = kDefaultAckTimeoutMs;  // after this a publish's outcome is "unknown"
};

class JetStreamPublisher final : public EventPublisher {
 public:
  // Starts connecting (see ConnectNats); does not wait for the server. InvalidArgument for bad
  // options (empty stream name or subjects, window < 1).
  static Result<std::unique_ptr<JetStreamPublisher>> Create(JetStreamOptions options);
  ~JetStreamPublisher() override;  // closes the connection; unacknowledged messages are dropped
  JetStreamPublisher(const JetStreamPublisher&) = delete;
  JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;

  // Creates the stream when missing, otherwise updates its subjects and limits to the options.
  // Unavailable when not connected; FailedPrecondition when the server refuses the config (for
  // example max_bytes above the account's JetStream limit), with the server's reason.
  Status EnsureStream();

  // See EventPublisher. Ensures the stream first when it was not yet (or is no longer) known to
  // exist. Unavailable at once, publishing nothing, while disconnected.
  Result<std::vector<PublishOutcome>> PublishBatch(
      const std::vector<OutgoingMessage>& batch) override;
  bool Connected() const override;

  const JetStreamOptions& options() const { return options_; }

 private:
  explicit JetStreamPublisher(JetStreamOptions options);
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  void HandleAck(natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae);
  void AbandonPending();

  const JetStreamOptions options_;
  NatsConnectionPtr nc_;
  JsCtxPtr js_;
  std::atomic<bool> stream_ready_{false};
  std::atomic<bool> published_any_{false};

  std::mutex publish_mu_;  // one PublishBatch at a time

  // The batch in flight; guarded by mu_, written by PublishBatch and the ack callback.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, size_t> index_;  // msg_id -> position in the batch
  std::vector<PublishOutcome> outcomes_;
  std::vector<bool> done_;
  int in_flight_ = 0;
  size_t remaining_ = 0;
};

}  // namespace baton::transport
