// transport/jetstream_consumer.h
//
// JetStreamConsumer reads the stream that NatsOptions names through a durable pull consumer
// (nats.c): explicit acks, an ack wait after which an unacknowledged message is delivered again,
// a cap on deliveries, a subject filter. The durable keeps the reader's place in the stream
// across restarts. It owns one NATS connection that reconnects forever (a server that is down at
// start is not an error); the consumer is created on the server when missing.
//
// Every settlement of a message (ack, nak, term) waits for the server's confirmation, up to
// NatsOptions::ack_timeout_ms, and says whether it got one: an unconfirmed ack means the message
// will most likely be delivered again after the ack wait (at-least-once), so the caller logs it
// and stays idempotent.
//
// Not thread-safe: one thread calls Next() and settles the messages. A JetStreamMessage must not
// outlive the consumer that delivered it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "transport/nats_connection.h"
#include "transport/nats_options.h"

namespace baton::transport {

struct JetStreamConsumerOptions {
  std::string durable;       // the consumer's name: required
  std::string filter;        // subject filter; empty: the stream's first subject
  bool deliver_all = false;  // a new consumer starts at the stream's first message (else new ones)
  int64_t ack_wait_ms = 30000;  // redelivery after this without an ack
  int64_t max_deliver = -1;     // deliveries of one message at most; -1 = unlimited
  int fetch_batch = 1;          // messages asked for at once (each must be handled within the
                                // ack wait, counted from when the batch arrived)
};

// One delivery of a message. Settle it once: Ack, Nak or Term (a second settlement is a no-op).
class JetStreamMessage {
 public:
  // `consumer_gone` is raised when a settlement finds nobody to answer it (the durable was
  // deleted), so that the consumer binds again.
  JetStreamMessage(NatsMsgPtr msg, int64_t confirm_timeout_ms,
                   std::shared_ptr<bool> consumer_gone);

  const std::string& subject() const { return subject_; }
  std::string_view data() const;
  // 1 on the first delivery, 2 on the first redelivery, ... (0 if the server did not say).
  uint64_t delivered() const { return delivered_; }
  uint64_t stream_sequence() const { return stream_sequence_; }

  // Each returns OK once the server confirmed it. Unavailable (naming the operation) when the
  // server could not be reached, did not answer in time or had no one to answer (the consumer
  // was deleted meanwhile); Internal for anything else. After a failure the message is
  // delivered again after the ack wait, unless the server did get the settlement.
  Status Ack();
  // Asks for a redelivery after `delay_ms` (0: at once).
  Status Nak(int64_t delay_ms);
  // Never deliver this message again.
  Status Term();

 private:
  Status Confirmed(natsStatus s, std::string_view what);

  NatsMsgPtr msg_;
  int64_t confirm_timeout_ms_;
  std::shared_ptr<bool> consumer_gone_;
  std::string subject_;
  uint64_t delivered_ = 0;
  uint64_t stream_sequence_ = 0;
};

class JetStreamConsumer {
 public:
  // Starts connecting; does not wait for the server. InvalidArgument for an empty durable name,
  // ack_wait_ms < 1 or fetch_batch < 1.
  static Result<std::unique_ptr<JetStreamConsumer>> Create(NatsOptions nats,
                                                           JetStreamConsumerOptions options);
  ~JetStreamConsumer();
  JetStreamConsumer(const JetStreamConsumer&) = delete;
  JetStreamConsumer& operator=(const JetStreamConsumer&) = delete;

  // Binds to the durable consumer, creating it when missing. Unavailable while not connected;
  // otherwise the server's refusal (no such stream yet, a config that conflicts with the
  // existing consumer) naming the stream and filter.
  Status Subscribe();
  bool subscribed() const { return sub_ != nullptr; }
  bool Connected() const;

  // The next message, waiting at most `timeout_ms`; nullopt when none came. Subscribes first
  // when not subscribed (returning that error). Unavailable while disconnected (the connection
  // reconnects by itself; call again). A fetch error drops the subscription, and so does a
  // settlement that found the durable deleted: the next call binds again, recreating it.
  // (A durable deleted while no message is in hand goes unnoticed: fetches just time out.)
  Result<std::optional<JetStreamMessage>> Next(int64_t timeout_ms);

  const std::string& stream() const { return stream_; }
  const std::string& filter() const { return filter_; }

 private:
  JetStreamConsumer(NatsOptions nats, JetStreamConsumerOptions options);

  const NatsOptions nats_;
  const JetStreamConsumerOptions options_;
  const std::string stream_;  // StreamName(nats_)
  const std::string filter_;  // options_.filter or the stream's first subject
  NatsConnectionPtr nc_;
  JsCtxPtr js_;
  NatsSubscriptionPtr sub_;
  std::shared_ptr<bool> consumer_gone_ = std::make_shared<bool>(false);  // see JetStreamMessage
  natsMsgList batch_{};  // fetched and not yet handed out
  int next_in_batch_ = 0;
};

}  // namespace baton::transport
