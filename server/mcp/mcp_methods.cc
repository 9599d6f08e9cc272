// McpSession: the per-request scope of both eras, server/discover, resources, prompts,
// completion, logging and server-to-client requests.
#include <spdlog/spdlog.h>

#include <chrono>

#include "server/mcp/mcp_session.h"

namespace baton {

using nlohmann::json;
using transport::MakeError;
using transport::MakeResult;
using transport::Message;

namespace {

constexpr const char* kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* kMetaLogLevel = "io.modelcontextprotocol/logLevel";
constexpr auto kClientRequestTimeout = std::chrono::seconds(120);

const json* Meta(const json& message) {
  if (!message.is_object() || !message.contains("params")) return nullptr;
  const json& params = message["params"];
  if (!params.is_object() || !params.contains("_meta") || !params["_meta"].is_object())
    return nullptr;
  return &params["_meta"];
}

}  // namespace

bool HasModernMeta(const json& message) {
  const json* meta = Meta(message);
  return meta && meta->contains(kMetaVersion);
}

std::optional<json> CheckModernMeta(const Message& m) {
  const json* meta = Meta(m.raw);
  std::vector<std::string> missing;
  if (!meta || !meta->contains(kMetaVersion) || !(*meta)[kMetaVersion].is_string())
    missing.push_back(kMetaVersion);
  if (!meta || !meta->contains(kMetaCapabilities) || !(*meta)[kMetaCapabilities].is_object())
    missing.push_back(kMetaCapabilities);
  if (!missing.empty()) {
    std::string list;
    for (const auto& k : missing) list += (list.empty() ? "" : ", ") + k;
    return JsonRpcError(
        m.id, Status::InvalidArgument("Invalid params: params._meta must carry " + list +
                                      " (protocol 2026-07-28), or send initialize first"));
  }
  std::string version = (*meta)[kMetaVersion].get<std::string>();
  if (!IsModernVersion(version))
    return MakeError(m.id, kUnsupportedProtocolVersionError, "Unsupported protocol version",
                     json{{"supported", json::array({kModernProtocolVersion})},
                          {"requested", version}});
  return std::nullopt;
}

RequestScope McpSession::LegacyScope() {
  std::lock_guard<std::mutex> lock(mu_);
  RequestScope s;
  s.protocol_version = protocol_version_;
  s.client_capabilities = client_capabilities_;
  s.log_level = log_level_;
  s.log_unset_sends = true;
  return s;
}

RequestScope McpSession::ModernScope(const Message& m) {
  const json& meta = *Meta(m.raw);
  RequestScope s;
  s.modern = true;
  s.protocol_version = meta[kMetaVersion].get<std::string>();
  s.client_capabilities = meta[kMetaCapabilities];
  if (meta.contains(kMetaLogLevel) && meta[kMetaLogLevel].is_string())
    s.log_level = meta[kMetaLogLevel].get<std::string>();
  s.log_unset_sends = false;  // 2026-07-28: no logLevel, no notifications/message
  return s;
}

json McpSession::Discover(const Message& m) {
  json result = {{"supportedVersions", AllProtocolVersions()},
                 {"capabilities", server_.Capabilities(kModernProtocolVersion)},
                 {"serverInfo", server_.ServerInfo()}};
  if (!server_.instructions().empty()) result["instructions"] = server_.instructions();
  return MakeResult(m.id, std::move(result));
}

json McpSession::ReadResource(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("uri") || !m.params["uri"].is_string())
    return JsonRpcError(m.id, Status::InvalidArgument("Invalid params: \"uri\" is required"));
  std::string uri = m.params["uri"].get<std::string>();
  auto contents = server_.ReadResource(uri);
  if (!contents.ok()) {
    if (contents.status().code() == StatusCode::kNotFound)
      return JsonRpcError(m.id, Status::NotFound("Resource not found"), json{{"uri", uri}});
    return JsonRpcError(m.id, Status::Internal(contents.status().message()));
  }
  return MakeResult(m.id, {{"contents", *contents}});
}

json McpSession::GetPrompt(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("name") || !m.params["name"].is_string())
    return JsonRpcError(m.id, Status::InvalidArgument("Invalid params: \"name\" is required"));
  std::string name = m.params["name"].get<std::string>();
  const Prompt* prompt = server_.FindPrompt(name);
  if (!prompt)
    return JsonRpcError(
        m.id, Status::InvalidArgument("Unknown prompt: " + name + " (call prompts/list)"));
  json args = m.params.value("arguments", json::object());
  if (!args.is_object()) args = json::object();
  for (const auto& a : prompt->definition.value("arguments", json::array()))
    if (a.value("required", false) && !args.contains(a.value("name", "")))
      return JsonRpcError(m.id, Status::InvalidArgument("Invalid params: prompt " + name +
                                                        " needs argument " + a.value("name", "")));
  auto result = prompt->get(args);
  if (!result.ok()) return JsonRpcError(m.id, Status::InvalidArgument(result.status().message()));
  return MakeResult(m.id, *result);
}

json McpSession::Complete(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("ref") || !m.params.contains("argument"))
    return JsonRpcError(m.id,
                        Status::InvalidArgument(
                            "Invalid params: completion/complete needs \"ref\" and \"argument\""));
  json completion = server_.Complete(m.params["ref"], m.params["argument"],
                                     m.params.value("context", json::object()));
  return MakeResult(m.id, {{"completion", completion}});
}

json McpSession::SetLogLevel(const Message& m) {
  static const std::set<std::string> kLevels = {"debug", "info",     "notice", "warning",
                                                "error", "critical", "alert",  "emergency"};
  std::string level = m.params.is_object() ? m.params.value("level", "") : "";
  if (!kLevels.count(level))
    return JsonRpcError(
        m.id, Status::InvalidArgument(
                  "Invalid params: \"level\" must be one of debug, info, notice, warning, "
                  "error, critical, alert, emergency"));
  std::lock_guard<std::mutex> lock(mu_);
  log_level_ = level;
  return MakeResult(m.id, json::object());
}

Result<json> McpSession::RequestClient(const std::string& method, const json& params,
                                       const RequestScope& scope,
                                       const std::shared_ptr<Responder>& out,
                                       const std::atomic<bool>* cancelled) {
  std::string capability = method.substr(0, method.find('/'));  // sampling, elicitation, roots
  if (!scope.client_capabilities.is_object() || !scope.client_capabilities.contains(capability))
    return Status::FailedPrecondition("the client did not declare the " + capability +
                                      " capability");
  if (scope.modern)
    return Status::Unavailable(method + " needs multi-round-trip requests (2026-07-28 MRTR), "
                               "which this server does not implement");
  auto pending = std::make_shared<Pending>();
  json id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return Status::Cancelled("the session is closing");
    id = "baton-" + std::to_string(next_request_id_++);
    pending_[id.dump()] = pending;
  }
  out->Notify(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + kClientRequestTimeout;
  while (!pending->done && !shutting_down_ && !(cancelled && cancelled->load()) &&
         std::chrono::steady_clock::now() < deadline)
    pending_cv_.wait_for(lock, std::chrono::milliseconds(200));
  pending_.erase(id.dump());
  if (!pending->done) return Status::DeadlineExceeded(method + ": the client did not answer");
  const json& r = pending->response;
  if (r.contains("error"))
    return Status::FailedPrecondition(method + " failed: " +
                                      r["error"].value("message", std::string("error")));
  return r.value("result", json::object());
}

}  // namespace baton
