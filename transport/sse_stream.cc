#include "transport/sse_stream.h"

#include <charconv>

namespace baton::transport {

SseStream::SseStream(std::string id, size_t max_buffered)
    : id_(std::move(id)), max_buffered_(max_buffered == 0 ? 1 : max_buffered) {}

uint64_t SseStream::Push(std::string data) {
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return 0;
    seq = next_seq_++;
    buffer_.push_back({seq, std::move(data)});
    while (buffer_.size() > max_buffered_) buffer_.pop_front();
  }
  cv_.notify_all();
  return seq;
}

void SseStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool SseStream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

uint64_t SseStream::Attach() {
  uint64_t c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    c = ++consumer_;
  }
  cv_.notify_all();
  return c;
}

SseStream::Batch SseStream::WaitAfter(uint64_t consumer, uint64_t after,
                                      std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto ready = [&] {
    return consumer != consumer_ || closed_ || (!buffer_.empty() && buffer_.back().seq > after);
  };
  cv_.wait_for(lock, timeout, ready);
  Batch b;
  if (consumer != consumer_) {
    b.superseded = true;
    return b;
  }
  for (const Event& e : buffer_)
    if (e.seq > after) b.events.push_back(e);
  b.closed = closed_;
  return b;
}

std::optional<std::pair<std::string, uint64_t>> SseStream::ParseEventId(std::string_view id) {
  size_t dot = id.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= id.size()) return std::nullopt;
  uint64_t seq = 0;
  auto tail = id.substr(dot + 1);
  auto [ptr, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), seq);
  if (ec != std::errc() || ptr != tail.data() + tail.size()) return std::nullopt;
  return std::make_pair(std::string(id.substr(0, dot)), seq);
}

std::string SseStream::Format(const Event& e) const {
  std::string out = "id: " + EventId(e.seq) + "\n";
  size_t start = 0;
  while (true) {
    size_t nl = e.data.find('\n', start);
    out += "data: " + e.data.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += "\n";
  return out;
}

}  // namespace baton::transport
