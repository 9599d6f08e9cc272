// McpSession: how news that belongs to no request reaches the client, in both eras.
//
// 2026-07-28 (basic/utilities/subscriptions.mdx; the same text is in the draft's
// basic/patterns/subscriptions.mdx): `subscriptions/listen` opens a long-lived stream. The server
// MUST send `notifications/subscriptions/acknowledged` first, with the subset of the requested
// `notifications` filter it honors; every notification on the stream carries the listen request
// id in `_meta["io.modelcontextprotocol/subscriptionId"]`. The stream ends when the client
// cancels (notifications/cancelled on stdio, closing the SSE stream on HTTP), when the
// transport closes, or when the server shuts down: then it answers the listen request with an
// empty result (SubscriptionsListenResult, the graceful close). Claude Code 2.1.330 stalls 27 s
// when the acknowledgement never comes, so it is sent before anything else is looked at.
//
// 2025-03-26 .. 2025-11-25: after initialize a session gets one listener delivering unsolicited
// messages (resources/updated for resources/subscribe, Claude Code channel messages).
#include <spdlog/spdlog.h>

#include "server/mcp/mcp_session.h"
#include "server/mcp/mcp_tasks.h"

namespace baton {

using nlohmann::json;
using transport::MakeError;
using transport::MakeResult;
using transport::Message;

namespace {
// How often a listen request looks at its cancellation flag and its connection.
constexpr int kListenCheckMs = 200;
}  // namespace

void McpSession::SetUnsolicited(std::function<void(const json&)> send) {
  std::lock_guard<std::mutex> lock(mu_);
  unsolicited_ = std::move(send);
}

void McpSession::RegisterLegacyListener(const std::string& version, const json& caps) {
  std::function<void(const json&)> send;
  std::set<std::string> uris;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!unsolicited_ || shutting_down_) return;
    send = unsolicited_;
    uris = subscriptions_;
  }
  ListenerInfo info;
  info.session_id = info_.id;
  info.principal = info_.principal;
  info.transport = info_.transport;
  info.modern = false;
  info.protocol_version = version;
  info.client_capabilities = caps;
  info.channels = server_.channels();
  info.honored["resourceSubscriptions"] = json(std::vector<std::string>(uris.begin(), uris.end()));
  auto listener = server_.notifications().Add(std::move(info), std::move(send));
  std::lock_guard<std::mutex> lock(mu_);
  legacy_listener_ = std::move(listener);  // a second initialize replaces the first
}

json McpSession::SubscribeResource(const Message& m) {
  std::string uri = m.params.is_object() ? m.params.value("uri", "") : "";
  if (uri.empty())
    return JsonRpcError(m.id, Status::InvalidArgument("Invalid params: \"uri\" is required"));
  const bool subscribe = m.method == "resources/subscribe";
  if (subscribe && !server_.KnowsResource(uri))
    return JsonRpcError(m.id, Status::NotFound("Resource not found"), json{{"uri", uri}});
  std::lock_guard<std::mutex> lock(mu_);
  if (subscribe) subscriptions_.insert(uri);
  else subscriptions_.erase(uri);
  if (legacy_listener_) legacy_listener_->SetResourceSubscriptions(subscriptions_);
  return MakeResult(m.id, json::object());
}

void McpSession::NoteJob(int64_t job_id, bool ended) {
  std::lock_guard<std::mutex> lock(mu_);
  if (legacy_listener_) legacy_listener_->NoteJob(job_id, ended);
}

json McpSession::Listen(const Message& m, const RequestScope& scope,
                        const std::shared_ptr<Responder>& out,
                        const std::shared_ptr<std::atomic<bool>>& cancelled) {
  const json requested = m.params.is_object() ? m.params.value("notifications", json()) : json();
  if (!requested.is_object())
    return JsonRpcError(
        m.id, Status::InvalidArgument(
                  "Invalid params: subscriptions/listen needs \"notifications\", an object "
                  "such as {\"resourceSubscriptions\": [\"baton://jobs/42\"]}"));
  if (requested.contains("resourceSubscriptions") && !requested["resourceSubscriptions"].is_array())
    return JsonRpcError(
        m.id, Status::InvalidArgument(
                  "Invalid params: \"notifications.resourceSubscriptions\" must be an array of "
                  "resource URIs"));
  // ext-tasks (io.modelcontextprotocol/tasks): task notifications need the extension declared.
  if (requested.contains("taskIds") && !McpTasks::DeclaresExtension(scope.client_capabilities))
    return McpTasks::MissingExtensionError(m.id);
  NotificationHub& hub = server_.notifications();
  ListenerInfo info;
  info.session_id = info_.id;
  info.principal = info_.principal;
  info.transport = info_.transport;
  info.modern = true;
  info.protocol_version = scope.protocol_version;
  info.subscription_id = m.id;
  info.requested = requested;
  info.client_capabilities = scope.client_capabilities;
  info.honored = hub.Honor(requested, info,
                           [this](const std::string& uri) { return server_.KnowsResource(uri); });
  // The acknowledgement goes out before the listener can deliver anything: it must be first.
  out->Notify(transport::MakeNotification(
      "notifications/subscriptions/acknowledged",
      {{"_meta", {{kSubscriptionIdMeta, m.id}}}, {"notifications", info.honored}}));
  spdlog::debug("session {}: subscriptions/listen {} acknowledged {}", info_.id, m.id.dump(),
                info.honored.dump());
  auto listener = hub.Add(std::move(info), [out](const json& message) { out->Notify(message); });
  while (!listener->WaitClosed(kListenCheckMs)) {
    if (cancelled->load() || out->Gone()) {
      spdlog::debug("session {}: subscriptions/listen {} ended by the client", info_.id,
                    m.id.dump());
      return nullptr;  // cancelled or gone: nothing more is sent for it
    }
  }
  // The server shuts down: the graceful close is the listen request's (empty) result.
  return MakeResult(m.id, {{"_meta", {{kSubscriptionIdMeta, m.id}}}});
}

}  // namespace baton
