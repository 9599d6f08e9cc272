// transport/jetstream_publisher.h
//
// JetStreamPublisher is the EventPublisher over NATS JetStream (nats.c). It owns one NATS
// connection that reconnects forever with capped exponential backoff (a server that is down at
// start is not an error: the connection keeps trying in the background), creates or updates the
// stream that NatsOptions describes, and publishes asynchronously with `Nats-Msg-Id` set to
// each message's msg_id, keeping at most `max_in_flight` messages unacknowledged.
// Outcomes: a PubAck (including a duplicate PubAck) is OK; a timeout, a disconnection or a
// server error is "unknown" and the caller republishes with the same msg_id (see
// transport/event_publisher.h). Thread-safe.
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
#include "transport/nats_connection.h"
#include "transport/nats_options.h"

namespace baton::transport {

class JetStreamPublisher final : public EventPublisher {
 public:
  // Starts connecting (see ConnectNats); does not wait for the server. InvalidArgument for bad
  // options (max_in_flight < 1, a duplicate window longer than the max age).
  static Result<std::unique_ptr<JetStreamPublisher>> Create(NatsOptions options);
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

  const NatsOptions& options() const { return options_; }

 private:
  explicit JetStreamPublisher(NatsOptions options);
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  void HandleAck(natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae);
  void AbandonPending();

  const NatsOptions options_;
  const std::string stream_;                 // StreamName(options_)
  const std::vector<std::string> subjects_;  // StreamSubjects(options_)
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
