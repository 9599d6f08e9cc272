// transport/event_publisher.h
//
// EventPublisher is what the core sees of an event broker: it publishes a batch of outgoing
// messages and says, for each one, whether the broker acknowledged it (stored it durably). It
// knows nothing of jobs, and the core knows nothing of NATS: transport/jetstream_publisher.h is
// the implementation, chosen in main (or by the drainer factory in server/events/event_drainer.h).
//
// Delivery contract, which the drainer relies on:
//  - A message whose outcome is OK was stored by the broker (a duplicate that the broker dropped
//    because it already had the same msg_id also counts as stored).
//  - Any other outcome means "unknown": the message may or may not be stored. The caller
//    republishes it later with the same msg_id and the broker deduplicates.
//  - Messages of one batch are sent in batch order on one connection, but when some outcomes are
//    not OK the broker may have stored a later message and not an earlier one. A caller that needs
//    order between two messages must not put both in the same batch.
//
// Thread-safety: implementations are thread-safe; concurrent PublishBatch calls are serialized.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace baton::transport {

struct OutgoingMessage {
  std::string subject;  // e.g. "baton.default.job.build.succeeded.42"
  std::string msg_id;   // deduplication key (JetStream `Nats-Msg-Id`); never empty
  std::string payload;  // bytes (the drainer sends JSON)
};

struct PublishOutcome {
  Status status;           // OK: stored; otherwise unknown (see above) with the reason
  bool duplicate = false;  // OK and the broker already had this msg_id
};

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  // Publishes every message of `batch`, keeping at most the implementation's window of
  // messages unacknowledged at a time, and blocks until each has an outcome (bounded by the
  // implementation's ack timeout). Returns one outcome per message, in batch order. A non-OK
  // Result (nothing was attempted) means the broker is unreachable or not set up: Unavailable
  // while disconnected, another code for a configuration error.
  virtual Result<std::vector<PublishOutcome>> PublishBatch(
      const std::vector<OutgoingMessage>& batch) = 0;

  // True while a connection to the broker is established (a hint: it may drop at any time).
  virtual bool Connected() const = 0;
};

}  // namespace baton::transport
