// transport/nats_options.h
//
// NatsOptions says how baton reaches its event stream on a NATS server: the connection, which
// baton instance and stream, the stream's limits, how publishes are acknowledged, and how the
// events outbox is paced. It is the one options type of every NATS user: the JetStream
// publisher and consumer (transport/), the outbox drainer and `baton notify` (server/events/).
// The `--nats*` flags and notify's flags and config file fill it. Defaults are quoted by
// docs/events.md. Value type; the functions below are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace baton::transport {

inline constexpr const char* kDefaultNatsUrl = "nats://127.0.0.1:4222";
inline constexpr const char* kDefaultStreamName = "BATON_EVENTS";
inline constexpr int64_t kDefaultStreamMaxAgeMs = 7LL * 24 * 3600 * 1000;  // 7 days
inline constexpr int64_t kDefaultStreamMaxBytes = 1LL << 30;               // 1 GiB
// Republishing an event is deduplicated only inside this window: it must cover a NATS outage
// plus a baton restart. JetStream requires it to be <= max age.
inline constexpr int64_t kDefaultDuplicateWindowMs = 3600LL * 1000;  // 1 hour
inline constexpr int kDefaultMaxInFlight = 256;
inline constexpr int64_t kDefaultAckTimeoutMs = 5000;

struct NatsOptions {
  // --- The connection: it reconnects forever, the n-th attempt waiting
  // min(reconnect_max_ms, reconnect_min_ms * 2^n) with +-20% jitter (bounds 1 ms .. 24 days).
  std::string url = kDefaultNatsUrl;  // a comma-separated list of servers is allowed
  std::string client_name = "baton";  // shown by the server's monitoring
  int64_t connect_timeout_ms = 2000;
  int64_t reconnect_min_ms = 100;
  int64_t reconnect_max_ms = 5000;
  int reconnect_buffer_bytes = 8 << 20;  // bytes buffered while disconnected (nats.c: 8 MiB)

  // --- The stream.
  std::string instance = "default";  // second subject token: several batons share a server
  std::string stream;                // empty: StreamName() below
  std::vector<std::string> subjects;  // empty: {"baton.<instance>.job.>"}
  int64_t max_age_ms = kDefaultStreamMaxAgeMs;  // 0 = unlimited
  int64_t max_bytes = kDefaultStreamMaxBytes;   // -1 = unlimited (the server's account limit)
  int64_t max_msgs = -1;                        // -1 = unlimited
  int64_t duplicate_window_ms = kDefaultDuplicateWindowMs;
  bool memory_storage = false;  // file storage survives a server restart

  // --- Acknowledgements.
  int max_in_flight = kDefaultMaxInFlight;  // unacknowledged publishes at a time
  // A publish without PubAck after this is "unknown" (and republished); a consumer's ack, nak or
  // term without the server's confirmation after this has failed.
  int64_t ack_timeout_ms = kDefaultAckTimeoutMs;

  // --- Pacing of the events outbox (server/events/event_drainer.h).
  int batch_size = 512;            // events read from the store per pass
  int64_t poll_interval_ms = 100;  // how often the outbox is checked when idle (or Wake())
  int64_t retry_initial_ms = 250;  // while disconnected, the outbox is retried this often; ...
  int64_t retry_max_ms = 10000;    // ... failures while connected back off, doubling up to this
};

// The stream name: `stream`, else "BATON_EVENTS" for instance "default", else
// "BATON_EVENTS_<instance>".
std::string StreamName(const NatsOptions& options);
// The stream's subjects: `subjects`, else {"baton.<instance>.job.>"}.
std::vector<std::string> StreamSubjects(const NatsOptions& options);
// One subject token made safe: bytes other than [A-Za-z0-9_-] become '_'; empty becomes "_".
std::string SubjectToken(std::string_view raw);

}  // namespace baton::transport
