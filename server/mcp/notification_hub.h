// server/mcp/notification_hub.h
//
// NotificationHub is where a front-end's features push news to MCP clients that are not tied
// to a request in flight. It holds one *listener* per place such news can go:
//   - modern (2026-07-28): one per open `subscriptions/listen` request (the stdio connection,
//     or the POST's SSE stream on HTTP). Every notification pushed to it carries the listen
//     request id in `_meta["io.modelcontextprotocol/subscriptionId"]` (basic/utilities/
//     subscriptions.mdx of 2026-07-28 / draft);
//   - legacy (2025-03-26 .. 2025-11-25): one per initialized session, delivering unsolicited
//     messages (stdio: the connection; HTTP: the session's GET stream).
// Features decide who should see a notification with a predicate over ListenerInfo and call
// Publish(); they never touch transports. One hub per McpServer (McpServer::notifications()).
//
// Thread-safe. Sinks are called without the hub's lock held, possibly concurrently for
// different listeners; a sink must not block for long (transports buffer).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace baton {

inline constexpr const char* kSubscriptionIdMeta = "io.modelcontextprotocol/subscriptionId";

// What a listener is, as predicates see it. A snapshot: Publish() hands predicates a copy taken
// under the hub's lock.
struct ListenerInfo {
  std::string session_id;  // MCP session id (stdio connection / HTTP session / modern request)
  std::string principal;   // who the client is (bearer token principal, or the local user)
  std::string transport;   // "stdio" or "http"
  bool modern = false;     // a subscriptions/listen stream (else a legacy session)
  std::string protocol_version;
  nlohmann::json subscription_id;  // modern: the listen request's JSON-RPC id; legacy: null
  // modern: the `notifications` filter as the client requested it (unknown keys included, so
  // that extensions can look for their own); legacy: {}.
  nlohmann::json requested = nlohmann::json::object();
  // modern: the filter acknowledged to the client; legacy: {"resourceSubscriptions": [...]} from
  // resources/subscribe.
  nlohmann::json honored = nlohmann::json::object();
  nlohmann::json client_capabilities = nlohmann::json::object();
  bool channels = false;  // legacy only: the session may get notifications/claude/channel
  std::set<int64_t> followed_jobs;  // jobs a wait of the session gave up on (news when they end)
  std::set<int64_t> ended_seen;     // jobs whose final state a call already returned

  // True when `uri` is among the honored resourceSubscriptions.
  bool SubscribedTo(const std::string& uri) const;
};

class NotificationHub;

// One registered listener. Owned by whoever registered it (the session); unregisters itself
// when destroyed. Thread-safe.
class Listener {
 public:
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint64_t id() const { return id_; }
  // Replaces the legacy resource subscriptions / the followed jobs.
  void SetResourceSubscriptions(const std::set<std::string>& uris);
  // ended=true: no channel news for the job (a call returned its end, or a wait on it is under
  // way); false: follow it (a wait gave up before it ended).
  void NoteJob(int64_t job_id, bool ended);
  // Waits up to `timeout_ms` for the hub to close this listener (server shutdown). True once
  // closed.
  bool WaitClosed(int timeout_ms);
  bool closed() const { return closed_.load(); }

 private:
  friend class NotificationHub;
  Listener(NotificationHub* hub, uint64_t id) : hub_(hub), id_(id) {}
  NotificationHub* hub_;
  const uint64_t id_;
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

class NotificationHub {
 public:
  using Sink = std::function<void(const nlohmann::json& message)>;
  using Predicate = std::function<bool(const ListenerInfo& listener)>;
  // Answers which part of a requested filter key the server honors (null/absent: not honored).
  using FilterHonor = std::function<nlohmann::json(const nlohmann::json& requested_value,
                                                   const ListenerInfo& listener)>;

  NotificationHub();
  ~NotificationHub();

  // Registers a listener delivering through `sink`. Destroying the returned Listener removes it.
  std::unique_ptr<Listener> Add(ListenerInfo info, Sink sink);

  // Sends `notification` (a JSON-RPC notification object) to every open listener for which
  // `who` is true. Modern listeners get their subscriptionId added to params._meta. Returns how
  // many listeners it was sent to. Copies the listeners' infos: one call per batch of news, not
  // per item, when there are many.
  int Publish(const Predicate& who, const nlohmann::json& notification);
  // Publish() with messages built per listener: `make` returns the notification for that
  // listener, an array of notifications, or null to skip it. One snapshot of the listeners for
  // the whole call. Returns how many notifications were sent.
  int PublishEach(const std::function<nlohmann::json(const ListenerInfo&)>& make);

  // subscriptions/listen filter keys beyond the core ones (e.g. an extension's). The
  // acknowledgement carries, for each requested key with a handler, what the handler returns
  // (omitted when null). Register before serving.
  void AddFilterKey(const std::string& key, FilterHonor honor);
  // The acknowledged filter for `requested`: the core keys baton honors (resourceSubscriptions
  // for which `resource_ok` is true; the list-changed keys are never honored: baton's lists do
  // not change) plus registered keys.
  nlohmann::json Honor(const nlohmann::json& requested, const ListenerInfo& listener,
                       const std::function<bool(const std::string& uri)>& resource_ok) const;

  // Closes every listener (server shutdown): their WaitClosed() returns true, nothing more is
  // delivered. Idempotent.
  void CloseAll();
  size_t size();

 private:
  friend class Listener;
  void Remove(uint64_t id);
  void Update(uint64_t id, const std::function<void(ListenerInfo&)>& change);

  struct Entry {
    ListenerInfo info;
    Sink sink;
    Listener* handle = nullptr;
  };
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> entries_;
  std::map<std::string, FilterHonor> filter_keys_;
  uint64_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace baton
