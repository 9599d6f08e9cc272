#include "transport/http_session.h"

#include <nlohmann/json.hpp>

#include "base/random_id.h"
#include "transport/jsonrpc.h"

namespace baton::transport {

namespace {
constexpr size_t kRememberedStreams = 32;
}

HttpSession::HttpSession(std::string id, std::string principal, std::shared_ptr<void> state,
                         size_t replay_events)
    : id_(std::move(id)),
      principal_(std::move(principal)),
      state_(std::move(state)),
      replay_events_(replay_events),
      last_used_(std::chrono::steady_clock::now()) {}

bool HttpSession::SendUnsolicited(const nlohmann::json& message) {
  std::shared_ptr<SseStream> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = standalone_;
  }
  if (!s || s->closed()) return false;
  s->Push(Serialize(message));
  return true;
}

std::shared_ptr<SseStream> HttpSession::NewStream() {
  std::lock_guard<std::mutex> lock(mu_);
  auto s = std::make_shared<SseStream>(std::to_string(next_stream_++) + RandomHexId(4), replay_events_);
  streams_.push_back(s);
  while (streams_.size() > kRememberedStreams) streams_.pop_front();
  return s;
}

std::shared_ptr<SseStream> HttpSession::NewStandaloneStream() {
  auto s = NewStream();
  std::shared_ptr<SseStream> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::move(standalone_);
    standalone_ = s;
  }
  if (old) old->Close();
  return s;
}

std::shared_ptr<SseStream> HttpSession::FindStream(const std::string& stream_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& s : streams_)
    if (s->id() == stream_id) return s;
  return nullptr;
}

void HttpSession::CloseAllStreams() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& s : streams_) s->Close();
  if (standalone_) standalone_->Close();
}

void HttpSession::Touch() {
  std::lock_guard<std::mutex> lock(mu_);
  last_used_ = std::chrono::steady_clock::now();
}

std::chrono::steady_clock::time_point HttpSession::last_used() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_used_;
}

HttpSessionTable::HttpSessionTable(size_t max_sessions, size_t max_per_principal,
                                   std::chrono::seconds idle_timeout, size_t replay_events,
                                   std::function<void(const std::shared_ptr<HttpSession>&)> on_evicted)
    : max_sessions_(max_sessions),
      max_per_principal_(max_per_principal),
      idle_timeout_(idle_timeout),
      replay_events_(replay_events),
      on_evicted_(std::move(on_evicted)) {}

std::vector<std::shared_ptr<HttpSession>> HttpSessionTable::EvictIdleLocked() {
  std::vector<std::shared_ptr<HttpSession>> evicted;
  auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second->last_used() > idle_timeout_) {
      evicted.push_back(it->second);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return evicted;
}

std::shared_ptr<HttpSession> HttpSessionTable::EvictLeastRecentLocked(const std::string& principal) {
  auto oldest = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (!principal.empty() && it->second->principal() != principal) continue;
    if (oldest == sessions_.end() || it->second->last_used() < oldest->second->last_used())
      oldest = it;
  }
  if (oldest == sessions_.end()) return nullptr;
  auto s = oldest->second;
  sessions_.erase(oldest);
  return s;
}

std::shared_ptr<HttpSession> HttpSessionTable::Create(
    const std::string& principal,
    const std::function<std::shared_ptr<void>(const std::string& id)>& make_state) {
  std::vector<std::shared_ptr<HttpSession>> evicted;
  std::shared_ptr<HttpSession> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    evicted = EvictIdleLocked();
    std::map<std::string, size_t> held;
    for (const auto& [id, session] : sessions_) ++held[session->principal()];
    if (max_per_principal_ > 0 && held[principal] >= max_per_principal_) {
      if (auto e = EvictLeastRecentLocked(principal)) evicted.push_back(e);
    } else if (sessions_.size() >= max_sessions_) {
      // Make room at the expense of whoever holds the most (ties: the lexically first).
      std::string heaviest;
      size_t most = 0;
      for (const auto& [who, n] : held)
        if (n > most) most = n, heaviest = who;
      if (auto e = EvictLeastRecentLocked(heaviest)) evicted.push_back(e);
    }
    if (sessions_.size() < max_sessions_) {
      std::string id = RandomHexId(16);
      s = std::make_shared<HttpSession>(id, principal, make_state(id), replay_events_);
      sessions_[s->id()] = s;
    }
  }
  for (const auto& e : evicted) {
    e->CloseAllStreams();
    if (on_evicted_) on_evicted_(e);
  }
  return s;
}

std::shared_ptr<HttpSession> HttpSessionTable::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  it->second->Touch();
  return it->second;
}

std::shared_ptr<HttpSession> HttpSessionTable::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  auto s = it->second;
  sessions_.erase(it);
  return s;
}

std::vector<std::shared_ptr<HttpSession>> HttpSessionTable::RemoveAll() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<HttpSession>> all;
  for (auto& [id, s] : sessions_) all.push_back(s);
  sessions_.clear();
  return all;
}

size_t HttpSessionTable::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace baton::transport
