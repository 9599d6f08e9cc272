// tests/support/nats_server.h
//
// A real `nats-server -js` for one test: it listens on a free loopback port (127.0.0.1 only),
// stores JetStream data in its own temporary directory and is configured through a generated
// config file (JetStream account limits can only be set there). The constructor returns once the
// server accepts connections with JetStream enabled (it throws std::runtime_error otherwise).
// Kill() SIGKILLs it (an outage, or a crash), Restart() starts it again on the same port with the
// same store. The destructor stops it and removes the store. Not thread-safe: one test thread
// drives it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/free_port.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {

struct NatsServerOptions {
  int64_t max_file_store_bytes = 256LL << 20;  // JetStream account limit (config file only)
  int64_t max_memory_store_bytes = 64LL << 20;
  int64_t max_payload_bytes = 1 << 20;
};

class NatsServer {
 public:
  explicit NatsServer(NatsServerOptions options = {});
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& store_dir() const { return store_dir_; }
  const std::string& log_file() const { return log_file_; }
  bool running() const { return process_ != nullptr; }

  // SIGKILL, and wait for it to be gone.
  void Kill();
  // Starts it again on the same port and store dir; throws when it does not come up.
  void Restart();
  // SIGTERM (clean shutdown), SIGKILL after 5 s.
  void Stop();

 private:
  void Launch();

  NatsServerOptions options_;
  TempDir dir_;
  std::string store_dir_, config_file_, log_file_;
  int port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// One message as a subscriber saw it.
struct ReceivedMessage {
  std::string subject;
  std::string msg_id;  // its Nats-Msg-Id header
  std::string payload;
  uint64_t stream_seq = 0;
  uint64_t num_delivered = 0;
  int64_t received_ms = 0;  // wall clock when the subscriber got it
};

// Reads through the durable pull consumer `durable` of `stream` (created on first use: explicit
// ack, deliver all, subject filter `filter`, e.g. the stream's subject), acking each message, until no message arrives for
// `idle_ms`. A later call with the same durable returns only what arrived since. Throws
// std::runtime_error when the server cannot be reached.
std::vector<ReceivedMessage> FetchAll(const std::string& url, const std::string& stream,
                                      const std::string& durable, const std::string& filter,
                                      int idle_ms = 1000);

// A stream's configuration and state as the server reports them (throws when unreachable or
// when there is no such stream).
struct StreamSummary {
  uint64_t msgs = 0, bytes = 0, first_seq = 0, last_seq = 0;
  int64_t max_msgs = 0, max_bytes = 0, max_age_ns = 0, duplicates_ns = 0;
  std::vector<std::string> subjects;
};
StreamSummary GetStream(const std::string& url, const std::string& stream);

}  // namespace baton::testing
