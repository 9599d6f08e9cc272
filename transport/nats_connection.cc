#include "transport/nats_connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

namespace baton::transport {
namespace {

// nats.c may run connection callbacks on its own thread after the connection was destroyed, so
// they must not point at memory we own: the backoff bounds travel inside the closure pointer
// itself (min in the high 32 bits, max in the low 32 bits, milliseconds).
void* PackBackoff(int64_t min_ms, int64_t max_ms) {
  auto clamp = [](int64_t v) { return static_cast<uint64_t>(std::clamp<int64_t>(v, 1, 0x7fffffff)); };
  return reinterpret_cast<void*>(static_cast<uintptr_t>(clamp(min_ms) << 32 | clamp(max_ms)));
}

int64_t ReconnectDelay(natsConnection*, int attempts, void* closure) {
  auto packed = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(closure));
  const int64_t min_ms = static_cast<int64_t>(packed >> 32);
  const int64_t max_ms = static_cast<int64_t>(packed & 0xffffffffu);
  int64_t delay = min_ms;
  for (int i = 0; i < attempts && delay < max_ms; ++i) delay *= 2;
  delay = std::min(delay, max_ms);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(delay) * jitter(rng)));
}

std::string ServerUrl(natsConnection* nc) {
  char buf[256] = {0};
  if (natsConnection_GetConnectedUrl(nc, buf, sizeof buf) != NATS_OK) return "?";
  return buf;
}
void OnConnected(natsConnection* nc, void*) { spdlog::info("nats: connected to {}", ServerUrl(nc)); }
void OnDisconnected(natsConnection*, void*) { spdlog::warn("nats: disconnected; reconnecting"); }
void OnReconnected(natsConnection* nc, void*) {
  spdlog::info("nats: reconnected to {}", ServerUrl(nc));
}

bool IsUnreachable(natsStatus s) {
  switch (s) {
    case NATS_NO_SERVER:
    case NATS_TIMEOUT:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_RESPONDERS:
    case NATS_INSUFFICIENT_BUFFER:
    case NATS_IO_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status FromNats(natsStatus s, std::string_view op) {
  if (s == NATS_OK) return Status::OK();
  std::string msg = std::string(op) + ": " + natsStatus_GetText(s);
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  if (last != nullptr && *last != '\0' && last_status == s) msg += std::string(" (") + last + ")";
  if (IsUnreachable(s)) return Status::Unavailable(msg);
  return s == NATS_NOT_FOUND ? Status::NotFound(msg) : Status::Internal(msg);
}

void NatsConnectionDeleter::operator()(natsConnection* nc) const {
  natsConnection_Close(nc);
  natsConnection_Destroy(nc);
}

Result<NatsConnectionPtr> ConnectNats(const NatsOptions& options, bool require_connected) {
  if (options.url.empty()) return Status::InvalidArgument("nats: empty server URL");
  natsOptions* raw = nullptr;
  BATON_RETURN_IF_ERROR(FromNats(natsOptions_Create(&raw), "nats options"));
  NatsOptionsPtr opts(raw);
  natsStatus s = natsOptions_SetURL(opts.get(), options.url.c_str());
  if (s != NATS_OK) return Status::InvalidArgument("nats: bad server URL '" + options.url + "'");
  s = natsOptions_SetName(opts.get(), options.client_name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), options.connect_timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), -1);
  if (s == NATS_OK) s = natsOptions_SetCustomReconnectDelay(
                            opts.get(), ReconnectDelay,
                            PackBackoff(options.reconnect_min_ms, options.reconnect_max_ms));
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts.get(), options.reconnect_buffer_bytes);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts.get(), OnDisconnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts.get(), OnReconnected, nullptr);
  if (s == NATS_OK && !require_connected)
    // With a callback the first connect is retried in the background (without one nats.c
    // retries synchronously, here forever).
    s = natsOptions_SetRetryOnFailedConnect(opts.get(), true, OnConnected, nullptr);
  if (s != NATS_OK) return FromNats(s, "nats options");
  natsConnection* nc = nullptr;
  s = natsConnection_Connect(&nc, opts.get());
  if (s == NATS_NOT_YET_CONNECTED) {
    spdlog::warn("nats: {} not reachable yet; connecting in the background", options.url);
  } else if (s != NATS_OK) {
    return FromNats(s, "nats connect to " + options.url);
  }
  return NatsConnectionPtr(nc);
}

Result<JsCtxPtr> JetStreamContext(natsConnection* nc, int64_t wait_ms) {
  jsOptions jo;
  BATON_RETURN_IF_ERROR(FromNats(jsOptions_Init(&jo), "jetstream options"));
  jo.Wait = wait_ms;
  jsCtx* js = nullptr;
  BATON_RETURN_IF_ERROR(FromNats(natsConnection_JetStream(&js, nc, &jo), "jetstream"));
  return JsCtxPtr(js);
}

bool IsConnected(natsConnection* nc) {
  return nc != nullptr && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
}

}  // namespace baton::transport
