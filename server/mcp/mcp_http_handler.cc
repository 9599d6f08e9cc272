#include "server/mcp/mcp_http_handler.h"

#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

#include "base/random_id.h"

namespace baton {

using nlohmann::json;
using transport::HttpExchange;
using transport::MakeError;

namespace {

constexpr const char* kMetaVersion = "io.modelcontextprotocol/protocolVersion";

// Answers one request through its exchange. Modern errors get their HTTP status
// (2026-07-28 basic/transports/streamable-http.mdx).
class ExchangeResponder final : public Responder {
 public:
  ExchangeResponder(std::shared_ptr<HttpExchange> ex, bool modern)
      : ex_(std::move(ex)), modern_(modern) {}
  void Respond(const json& m) override {
    int status = 200;
    if (modern_ && m.is_object() && m.contains("error")) {
      int code = m["error"].value("code", 0);
      if (code == transport::kMethodNotFound) status = 404;
      if (code == kHeaderMismatchError || code == kMissingClientCapabilityError ||
          code == kUnsupportedProtocolVersionError)
        status = 400;
    }
    ex_->Finish(m, status);
    SetDone();
  }
  void Notify(const json& m) override { ex_->Send(m); }
  void Dropped(const json&) override {
    ex_->Abandon();
    SetDone();
  }
  void CloseStream() override { ex_->CloseConnection(); }
  bool Gone() const override { return ex_->client_gone(); }
  void WaitDone() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  void SetDone() {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  std::shared_ptr<HttpExchange> ex_;
  const bool modern_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

class NullResponder final : public Responder {
 public:
  void Respond(const json&) override {}
  void Notify(const json&) override {}
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

void RejectWith(const std::shared_ptr<HttpExchange>& ex, int status, const json& id, int code,
                const std::string& message, json data = nullptr) {
  ex->Reject(status, MakeError(id, code, message, std::move(data)));
}

}  // namespace

void McpHttpHandler::OnPost(transport::HttpPost post, std::shared_ptr<HttpExchange> ex) {
  const json& m = post.message;
  std::string header_version = post.Header("mcp-protocol-version");
  bool modern = m.is_object() && (HasModernMeta(m) || (!post.session && !header_version.empty() &&
                                                       header_version > "2025-11-25"));
  if (m.is_object() && !post.session && m.value("method", "") == "server/discover") modern = true;
  if (modern) return ServeModern(post, ex);
  ServeLegacy(post, ex);
}

void McpHttpHandler::ServeModern(transport::HttpPost& post, const std::shared_ptr<HttpExchange>& ex) {
  const json& m = post.message;
  transport::Incoming in = transport::Classify(m);
  if (!in.ok) return ex->Reject(400, in.error);
  const transport::Message& msg = in.message;
  if (msg.kind == transport::Message::Kind::kNotification && msg.method == "notifications/cancelled")
    return CancelStateless(post.principal, msg);  // 202 Accepted
  if (msg.kind != transport::Message::Kind::kRequest) return;  // 202 Accepted
  // Missing _meta fields first (-32602), then the headers (-32020), then the version (-32022).
  if (auto invalid = CheckModernMeta(msg);
      invalid && (*invalid)["error"]["code"] == transport::kInvalidParams)
    return ex->Reject(400, *invalid);
  std::string meta_version = m["params"]["_meta"][kMetaVersion].get<std::string>();
  std::string header_version = Trim(post.Header("mcp-protocol-version"));
  if (header_version != meta_version)
    return RejectWith(ex, 400, msg.id, kHeaderMismatchError,
                      "Header mismatch: MCP-Protocol-Version \"" + header_version +
                          "\" does not match params._meta protocolVersion \"" + meta_version + "\"");
  if (auto invalid = CheckModernMeta(msg)) return ex->Reject(400, *invalid);
  std::string method_header = Trim(post.Header("mcp-method"));
  if (method_header != msg.method)
    return RejectWith(ex, 400, msg.id, kHeaderMismatchError,
                      method_header.empty() ? "Header mismatch: the Mcp-Method header is required"
                                            : "Header mismatch: Mcp-Method \"" + method_header +
                                                  "\" does not match the body method \"" +
                                                  msg.method + "\"");
  std::string name_field = msg.method == "resources/read" ? "uri" : "name";
  if (msg.method == "tools/call" || msg.method == "prompts/get" || msg.method == "resources/read") {
    std::string body_name =
        msg.params.is_object() && msg.params.contains(name_field) && msg.params[name_field].is_string()
            ? msg.params[name_field].get<std::string>()
            : "";
    std::string name_header = Trim(post.Header("mcp-name"));
    if (!body_name.empty() && name_header != body_name)
      return RejectWith(ex, 400, msg.id, kHeaderMismatchError,
                        name_header.empty() ? "Header mismatch: the Mcp-Name header is required"
                                            : "Header mismatch: Mcp-Name \"" + name_header +
                                                  "\" does not match the body " + name_field +
                                                  " \"" + body_name + "\"");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_)
      return ex->Reject(503, JsonRpcError(msg.id, Status::Unavailable("shutting down")));
    ++running_;
  }
  // A session for this one request: its thread lives until the response is out.
  auto session = std::make_shared<McpSession>(
      server_, SessionInfo{"req-" + RandomHexId(8), "http", post.principal});
  auto responder = std::make_shared<ExchangeResponder>(ex, /*modern=*/true);
  // Findable by a later notifications/cancelled of the same principal (a subscriptions/listen
  // closed by the client, a long status wait).
  const std::string key = post.principal + "\n" + msg.id.dump();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stateless_[key] = session;
  }
  std::thread([this, session, responder, key, message = m]() mutable {
    session->HandleJson(message, responder);
    responder->WaitDone();
    session->Shutdown();
    session.reset();
    std::lock_guard<std::mutex> lock(mu_);
    stateless_.erase(key);
    --running_;
    cv_.notify_all();
  }).detach();
}

void McpHttpHandler::CancelStateless(const std::string& principal, const transport::Message& m) {
  if (!m.params.is_object() || !m.params.contains("requestId")) return;
  std::shared_ptr<McpSession> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = stateless_.find(principal + "\n" + m.params["requestId"].dump());
    if (it != stateless_.end()) session = it->second.lock();
  }
  // The request's own session marks it cancelled; a notification produces no output.
  if (session) session->HandleJson(m.raw, std::make_shared<NullResponder>());
}

void McpHttpHandler::ServeLegacy(transport::HttpPost& post, const std::shared_ptr<HttpExchange>& ex) {
  const json& m = post.message;
  std::shared_ptr<McpSession> session;
  if (post.session) {
    session = std::static_pointer_cast<McpSession>(post.session->state());
  } else if (m.is_object() && m.value("method", "") == "initialize" && m.contains("id")) {
    auto created = post.sessions->Create(post.principal, [&](const std::string& id) {
      session = std::make_shared<McpSession>(server_, SessionInfo{id, "http", post.principal});
      session->SetAsyncRequests(true);  // the transport waits on the exchange, not on us
      return session;
    });
    if (!created)
      return ex->Reject(
          503, JsonRpcError(
                   m["id"],
                   Status::Unavailable("Service Unavailable: too many sessions; try again later")));
    // News tied to no request goes on the session's GET stream.
    session->SetUnsolicited([weak = std::weak_ptr<transport::HttpSession>(created)](const json& n) {
      if (auto s = weak.lock()) s->SendUnsolicited(n);
    });
    ex->BindSession(created);
  }
  if (!session) {
    json id = m.is_object() && m.contains("id") ? m["id"] : json(nullptr);
    return ex->Reject(
        400, JsonRpcError(
                 id, Status::FailedPrecondition(
                         "Bad Request: no MCP-Session-Id. Send initialize first (protocol "
                         "2025-03-26..2025-11-25), or use protocol 2026-07-28 with params._meta")));
  }
  ex->SetResumable(session->protocol_version() >= "2025-11-25");
  session->HandleJson(m, std::make_shared<ExchangeResponder>(ex, /*modern=*/false));
}

void McpHttpHandler::OnSessionClosed(const std::shared_ptr<transport::HttpSession>& s) {
  if (auto session = std::static_pointer_cast<McpSession>(s->state())) {
    spdlog::info("http session {} closed", s->id());
    session->Shutdown();
  }
}

void McpHttpHandler::Shutdown(int wait_ms) {
  std::vector<std::shared_ptr<McpSession>> left;
  {
    std::unique_lock<std::mutex> lock(mu_);
    shutting_down_ = true;
    if (cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return running_ == 0; }))
      return;
    for (auto& [key, weak] : stateless_)
      if (auto session = weak.lock()) left.push_back(std::move(session));
  }
  // Long status waits and listen streams: cancelled, they end (without a response) at once.
  spdlog::warn("http: cancelling {} request(s) still running at shutdown", left.size());
  for (auto& session : left) session->Shutdown();
  left.clear();
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return running_ == 0; }))
    spdlog::warn("http: still waiting for {} cancelled request(s) to end", running_);
}

}  // namespace baton
