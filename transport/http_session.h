// transport/http_session.h
//
// The transport's bookkeeping for MCP Streamable HTTP sessions (2025-03-26 .. 2025-11-25
// basic/transports.mdx, "Session Management"): a table from the cryptographically random
// `MCP-Session-Id` to an HttpSession, which remembers the principal that created it, the
// protocol layer's opaque state, the session's standalone GET stream and its recent SSE streams
// (for `Last-Event-ID` resumption). Sessions idle for too long are evicted; the table is
// bounded. The transport never interprets `state`: the protocol layer (server/) owns it.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "transport/sse_stream.h"

namespace baton::transport {

class HttpSession {
 public:
  HttpSession(std::string id, std::string principal, std::shared_ptr<void> state,
              size_t replay_events);
  const std::string& id() const { return id_; }
  const std::string& principal() const { return principal_; }
  const std::shared_ptr<void>& state() const { return state_; }

  // Sends a message that belongs to no request on the standalone (GET) stream. Buffered for
  // replay; dropped when the client never opened one. False when dropped.
  bool SendUnsolicited(const nlohmann::json& message);

  // A new SSE stream of this session, remembered for resumption (the oldest are forgotten).
  std::shared_ptr<SseStream> NewStream();
  // Replaces the standalone stream (an earlier one is closed).
  std::shared_ptr<SseStream> NewStandaloneStream();
  std::shared_ptr<SseStream> FindStream(const std::string& stream_id);
  void CloseAllStreams();

  void Touch();
  std::chrono::steady_clock::time_point last_used();

 private:
  const std::string id_;
  const std::string principal_;
  const std::shared_ptr<void> state_;
  const size_t replay_events_;
  std::mutex mu_;
  std::deque<std::shared_ptr<SseStream>> streams_;  // most recent last
  std::shared_ptr<SseStream> standalone_;
  std::chrono::steady_clock::time_point last_used_;
  uint64_t next_stream_ = 1;
};

class HttpSessionTable {
 public:
  // on_evicted is called (without locks held) for sessions removed by expiry or to make room.
  // `max_per_principal` bounds the sessions one principal holds, so that one client opening
  // sessions in a loop cannot lock the others out of the shared table.
  HttpSessionTable(size_t max_sessions, size_t max_per_principal, std::chrono::seconds idle_timeout,
                   size_t replay_events,
                   std::function<void(const std::shared_ptr<HttpSession>&)> on_evicted);

  // A new session with a random 32-character id. Expired sessions go first; a principal at its
  // own cap loses its least recently used session; when the whole table is full, the least
  // recently used session of the principal holding the most sessions goes (never another
  // principal's while this one holds the most). Null only when nothing can be evicted.
  // `make_state` builds the protocol layer's state for the new id.
  std::shared_ptr<HttpSession> Create(
      const std::string& principal,
      const std::function<std::shared_ptr<void>(const std::string& id)>& make_state);
  // The live session with this id; null when unknown, deleted or expired.
  std::shared_ptr<HttpSession> Find(const std::string& id);
  // Removes and returns the session (null when unknown).
  std::shared_ptr<HttpSession> Remove(const std::string& id);
  // Removes every session (server shutdown).
  std::vector<std::shared_ptr<HttpSession>> RemoveAll();
  size_t size();

 private:
  std::vector<std::shared_ptr<HttpSession>> EvictIdleLocked();
  // Removes the least recently used session of `principal` (all when empty); null when none.
  std::shared_ptr<HttpSession> EvictLeastRecentLocked(const std::string& principal);

  const size_t max_sessions_;
  const size_t max_per_principal_;
  const std::chrono::seconds idle_timeout_;
  const size_t replay_events_;
  std::function<void(const std::shared_ptr<HttpSession>&)> on_evicted_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;
};

}  // namespace baton::transport
