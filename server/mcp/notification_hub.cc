#include "server/mcp/notification_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace baton {

using nlohmann::json;

bool ListenerInfo::SubscribedTo(const std::string& uri) const {
  if (!honored.is_object() || !honored.contains("resourceSubscriptions")) return false;
  const json& list = honored["resourceSubscriptions"];
  return list.is_array() && std::find(list.begin(), list.end(), json(uri)) != list.end();
}

Listener::~Listener() {
  if (hub_) hub_->Remove(id_);
}

void Listener::SetResourceSubscriptions(const std::set<std::string>& uris) {
  if (hub_) hub_->Update(id_, [&](ListenerInfo& info) {
    info.honored["resourceSubscriptions"] = json(std::vector<std::string>(uris.begin(), uris.end()));
  });
}

void Listener::NoteJob(int64_t job_id, bool ended) {
  if (!hub_) return;
  hub_->Update(id_, [&](ListenerInfo& info) {
    if (ended) {
      info.ended_seen.insert(job_id);
      info.followed_jobs.erase(job_id);
    } else {
      info.ended_seen.erase(job_id);
      info.followed_jobs.insert(job_id);
    }
  });
}

bool Listener::WaitClosed(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return closed_.load(); });
}

NotificationHub::NotificationHub() = default;

NotificationHub::~NotificationHub() {
  CloseAll();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, e] : entries_) e.handle->hub_ = nullptr;  // outlived by its listener
}

std::unique_ptr<Listener> NotificationHub::Add(ListenerInfo info, Sink sink) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  std::unique_ptr<Listener> handle(new Listener(this, id));
  if (closed_) {
    handle->closed_ = true;
    return handle;
  }
  entries_[id] = Entry{std::move(info), std::move(sink), handle.get()};
  return handle;
}

void NotificationHub::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(id);
}

void NotificationHub::Update(uint64_t id, const std::function<void(ListenerInfo&)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) change(it->second.info);
}

int NotificationHub::Publish(const Predicate& who, const json& notification) {
  return PublishEach([&](const ListenerInfo& l) { return who(l) ? notification : json(); });
}

int NotificationHub::PublishEach(const std::function<json(const ListenerInfo&)>& make) {
  std::vector<std::pair<ListenerInfo, Sink>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return 0;
    targets.reserve(entries_.size());
    for (const auto& [id, e] : entries_) targets.emplace_back(e.info, e.sink);
  }
  int sent = 0;
  for (const auto& [info, sink] : targets) {
    json message;
    try {
      message = make(info);
    } catch (const std::exception& e) {
      spdlog::error("notification for session {}: {}", info.session_id, e.what());
      continue;
    }
    if (message.is_null()) continue;
    if (!message.is_array()) message = json::array({std::move(message)});
    for (json& m : message) {
      if (info.modern) {
        if (!m.contains("params") || !m["params"].is_object()) m["params"] = json::object();
        m["params"]["_meta"][kSubscriptionIdMeta] = info.subscription_id;
      }
      sink(m);
      ++sent;
    }
  }
  return sent;
}

void NotificationHub::AddFilterKey(const std::string& key, FilterHonor honor) {
  std::lock_guard<std::mutex> lock(mu_);
  filter_keys_[key] = std::move(honor);
}

json NotificationHub::Honor(const json& requested, const ListenerInfo& listener,
                            const std::function<bool(const std::string&)>& resource_ok) const {
  json honored = json::object();
  if (!requested.is_object()) return honored;
  if (requested.contains("resourceSubscriptions") && requested["resourceSubscriptions"].is_array()) {
    json uris = json::array();
    for (const json& u : requested["resourceSubscriptions"])
      if (u.is_string() && resource_ok(u.get<std::string>())) uris.push_back(u);
    if (!uris.empty()) honored["resourceSubscriptions"] = uris;
  }
  std::map<std::string, FilterHonor> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys = filter_keys_;
  }
  for (const auto& [key, honor] : keys) {
    if (!requested.contains(key)) continue;
    json v = honor(requested[key], listener);
    if (!v.is_null()) honored[key] = v;
  }
  return honored;
}

void NotificationHub::CloseAll() {
  // Under the hub's lock: a listener cannot be destroyed meanwhile (its destructor takes it).
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  for (auto& [id, e] : entries_) {
    std::lock_guard<std::mutex> l(e.handle->mu_);
    e.handle->closed_ = true;
    e.handle->cv_.notify_all();
  }
}

size_t NotificationHub::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace baton
