// transport/sse_stream.h
//
// SseStream is one logical Server-Sent-Events stream of an MCP Streamable HTTP session (the
// response stream of one POST, or the session's standalone GET stream). It is a log: every
// message pushed gets an event id "<stream>.<seq>" and is kept in a bounded replay buffer, so a
// client that lost the connection can reconnect with `Last-Event-ID` and receive what it
// missed (2025-11-25 basic/transports.mdx, "Resumability and Redelivery"). The HTTP connection
// that currently delivers the stream is a consumer; a newer consumer (a resume) replaces it.
//
// Thread-safe: producers push from any thread; consumers wait on their own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::transport {

class SseStream {
 public:
  struct Event {
    uint64_t seq = 0;
    std::string data;  // one JSON text; empty for the priming event
  };

  // `id` must be unique within its session and contain no '.'; at most `max_buffered` events
  // are kept for replay (the oldest are dropped first).
  SseStream(std::string id, size_t max_buffered);

  const std::string& id() const { return id_; }
  // Appends an event and wakes the consumer. Returns its sequence number. Ignored once closed.
  uint64_t Push(std::string data);
  // No more events will be pushed; consumers end after delivering what is buffered.
  void Close();
  bool closed() const;

  // A new consumer takes over the stream; earlier consumers see `superseded` and end.
  uint64_t Attach();
  struct Batch {
    std::vector<Event> events;  // in order, all with seq > after
    bool closed = false;        // closed and nothing more after these events
    bool superseded = false;    // another consumer attached
  };
  // Waits up to `timeout` for events after `after` (0: from the start of the buffer).
  Batch WaitAfter(uint64_t consumer, uint64_t after, std::chrono::milliseconds timeout);

  std::string EventId(uint64_t seq) const { return id_ + "." + std::to_string(seq); }
  // Splits "<stream>.<seq>"; nullopt when malformed.
  static std::optional<std::pair<std::string, uint64_t>> ParseEventId(std::string_view event_id);
  // The wire form of one event: "id: ...\ndata: ...\n\n" (data split on newlines).
  std::string Format(const Event& e) const;

 private:
  const std::string id_;
  const size_t max_buffered_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> buffer_;
  uint64_t next_seq_ = 1;
  uint64_t consumer_ = 0;
  bool closed_ = false;
};

}  // namespace baton::transport
