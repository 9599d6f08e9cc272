#include "transport/stdio_transport.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "transport/jsonrpc.h"

namespace baton::transport {

StdioTransport::StdioTransport(int in_fd, int out_fd, size_t max_frame_bytes)
    : in_fd_(in_fd), out_fd_(out_fd), max_frame_bytes_(max_frame_bytes) {}

bool StdioTransport::Write(const nlohmann::json& message) {
  std::string bytes = Serialize(message);
  bytes.push_back('\n');
  std::lock_guard<std::mutex> lock(write_mu_);
  if (closed_) return false;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(out_fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      closed_ = true;  // EPIPE: the client went away
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void StdioTransport::Run(const std::function<void(std::string&&)>& on_frame,
                         const std::function<void(size_t)>& on_oversized,
                         const std::function<void(bool)>& on_batch) {
  std::string frame;
  size_t skipped = 0;  // > 0 while discarding an oversized frame
  char buf[65536];
  while (true) {
    ssize_t n = ::read(in_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const bool has_frame = memchr(buf, '\n', static_cast<size_t>(n)) != nullptr;
    if (has_frame && on_batch) on_batch(true);
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (buf[i] != '\n') continue;
      size_t len = i - start;
      if (skipped > 0) {
        on_oversized(skipped + len);
        skipped = 0;
      } else {
        frame.append(buf + start, len);
        if (frame.size() > max_frame_bytes_) {
          on_oversized(frame.size());
        } else {
          if (!frame.empty() && frame.back() == '\r') frame.pop_back();
          if (frame.find_first_not_of(" \t") != std::string::npos) on_frame(std::move(frame));
        }
        frame.clear();
      }
      start = i + 1;
    }
    if (has_frame && on_batch) on_batch(false);
    size_t rest = static_cast<size_t>(n) - start;
    if (skipped > 0) {
      skipped += rest;
    } else {
      frame.append(buf + start, rest);
      if (frame.size() > max_frame_bytes_) {
        skipped = frame.size();
        frame.clear();
        frame.shrink_to_fit();
      }
    }
  }
  if (skipped == 0 && frame.find_first_not_of(" \t\r") != std::string::npos) on_frame(std::move(frame));
}

}  // namespace baton::transport
