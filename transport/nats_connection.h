// transport/nats_connection.h
//
// The nats.c glue that every NATS user in baton shares (the JetStream publisher and consumer,
// tests): the one translation of natsStatus to Status, unique_ptr handles for nats.c objects,
// and ConnectNats(), which opens a connection that reconnects forever with capped exponential
// backoff as NatsOptions describes.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <string_view>

#include "base/result.h"
#include "transport/nats_options.h"

namespace baton::transport {

// natsStatus -> Status, with the operation name and the library's last error text (which holds
// the server's JetStream error description). Unreachable-server codes map to Unavailable,
// NATS_NOT_FOUND to NotFound, the rest to Internal.
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

// Opens a connection to options.url (named options.client_name) that reconnects forever. When
// the server is down it returns the connection anyway (it connects in the background) unless
// `require_connected`, in which case it is Unavailable. InvalidArgument for a malformed URL.
Result<NatsConnectionPtr> ConnectNats(const NatsOptions& options, bool require_connected);

// A JetStream context on `nc` whose API requests wait at most `wait_ms`.
Result<JsCtxPtr> JetStreamContext(natsConnection* nc, int64_t wait_ms);

// True while `nc` is connected (not connecting, reconnecting or closed).
bool IsConnected(natsConnection* nc);

}  // namespace baton::transport
