// transport/stdio_transport.h
//
// MCP's stdio transport: newline-delimited JSON-RPC frames on an input fd, responses and
// notifications on an output fd that carries nothing else. Frames longer than the limit are
// skipped without being buffered and reported, so a 10 MB line cannot exhaust memory.
// Write() is thread-safe; Run() is called by one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace baton::transport {

class StdioTransport {
 public:
  StdioTransport(int in_fd, int out_fd, size_t max_frame_bytes);

  // Serializes `message` and writes it with its '\n' as one unit. False once the peer is gone.
  bool Write(const nlohmann::json& message);

  // Reads until EOF or a read error. Each complete frame goes to on_frame; a frame over the
  // limit goes to on_oversized (with the number of bytes seen) instead. Empty lines are ignored.
  // on_batch, if set, is called with true before the first frame of each read() and with false
  // after its last one (the frames that arrived together: a group commit's unit).
  void Run(const std::function<void(std::string&&)>& on_frame,
           const std::function<void(size_t)>& on_oversized,
           const std::function<void(bool)>& on_batch = nullptr);

 private:
  int in_fd_;
  int out_fd_;
  size_t max_frame_bytes_;
  std::mutex write_mu_;
  bool closed_ = false;
};

}  // namespace baton::transport
