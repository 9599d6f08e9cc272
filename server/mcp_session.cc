#include "server/mcp_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace baton {

using nlohmann::json;
using transport::Message;

namespace {

// Collects the responses of a batch and sends them as one array when the last arrives.
class BatchResponder final : public Responder {
 public:
  explicit BatchResponder(std::shared_ptr<Responder> parent) : parent_(std::move(parent)) {}
  void Respond(const json& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    responses_.push_back(message);
  }
  void Notify(const json& message) override { parent_->Notify(message); }
  void Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!responses_.empty()) parent_->Respond(responses_);
  }

 private:
  std::shared_ptr<Responder> parent_;
  std::mutex mu_;
  json responses_ = json::array();
};

bool Before(const std::string& a, const std::string& b) { return a < b; }  // ISO dates sort

}  // namespace

const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2025-03-26", "2025-06-18", "2025-11-25"};
  return kVersions;
}

ToolResult ToolResult::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Error("Invalid arguments: " + status.message());
    case StatusCode::kNotFound: return Error("Not found: " + status.message());
    case StatusCode::kFailedPrecondition: return Error(status.message());
    case StatusCode::kPermissionDenied: return Error("Denied by policy: " + status.message());
    case StatusCode::kUnavailable: return Error("Temporarily unavailable, retry: " + status.message());
    default: return Error("Internal error: " + status.message());
  }
}

McpServer::McpServer(std::string name, std::string version, std::string instructions)
    : name_(std::move(name)), version_(std::move(version)), instructions_(std::move(instructions)) {}

void McpServer::AddTool(std::unique_ptr<Tool> tool) { tools_.push_back(std::move(tool)); }

Tool* McpServer::FindTool(const std::string& name) const {
  for (const auto& t : tools_)
    if (t->Definition().at("name") == name) return t.get();
  return nullptr;
}

json McpServer::ListTools(const std::string& version) const {
  json tools = json::array();
  const bool structured = !Before(version, "2025-06-18");  // title, outputSchema since 2025-06-18
  for (const auto& t : tools_) {
    json def = t->Definition();
    if (!structured) {
      def.erase("title");
      def.erase("outputSchema");
    }
    tools.push_back(std::move(def));
  }
  return {{"tools", tools}};
}

json McpServer::ServerInfo() const {
  return {{"name", name_}, {"title", "Baton: durable background jobs"}, {"version", version_}};
}

McpSession::McpSession(McpServer& server, SessionInfo info)
    : server_(server), info_(std::move(info)) {}

McpSession::~McpSession() { Shutdown(); }

std::string McpSession::protocol_version() {
  std::lock_guard<std::mutex> lock(mu_);
  return protocol_version_;
}

void McpSession::HandleFrame(std::string_view frame, const std::shared_ptr<Responder>& out) {
  HandleParsed(transport::ParseLine(frame), out);
}

void McpSession::HandleJson(const json& value, const std::shared_ptr<Responder>& out) {
  transport::ParsedLine parsed;
  if (value.is_array()) {
    parsed.is_batch = true;
    if (value.empty()) {
      out->Respond(transport::MakeError(nullptr, transport::kInvalidRequest,
                                        "Invalid Request: empty batch"));
      return;
    }
    for (const json& e : value) parsed.items.push_back(transport::Classify(e));
  } else {
    parsed.items.push_back(transport::Classify(value));
  }
  HandleParsed(std::move(parsed), out);
}

void McpSession::HandleParsed(transport::ParsedLine parsed, const std::shared_ptr<Responder>& out) {
  ReapThreads();
  if (parsed.is_batch) {
    if (protocol_version() != "2025-03-26") {
      out->Respond(transport::MakeError(
          nullptr, transport::kInvalidRequest,
          "Invalid Request: JSON-RPC batches are only accepted with protocol 2025-03-26; "
          "this session uses " + protocol_version() + ". Send one message per line."));
      return;
    }
    auto batch = std::make_shared<BatchResponder>(out);
    for (const transport::Incoming& in : parsed.items) {
      if (!in.ok) {
        batch->Respond(in.error);
        continue;
      }
      json response = Dispatch(in.message, batch);
      if (!response.is_null()) batch->Respond(response);
    }
    batch->Flush();
    return;
  }
  const transport::Incoming& in = parsed.items.front();
  if (!in.ok) {
    out->Respond(in.error);
    return;
  }
  if (IsBlockingCall(in.message)) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    Message m = in.message;
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return;
    workers_.push_back({std::thread([this, m, out, done] {
                          json response = Dispatch(m, out);
                          if (!response.is_null()) out->Respond(response);
                          done->store(true);
                        }),
                        done});
    return;
  }
  json response = Dispatch(in.message, out);
  if (!response.is_null()) out->Respond(response);
}

bool McpSession::IsBlockingCall(const Message& m) {
  if (m.kind != Message::Kind::kRequest || m.method != "tools/call" || !m.params.is_object())
    return false;
  const json& name = m.params.value("name", json());
  if (!name.is_string()) return false;
  Tool* tool = server_.FindTool(name.get<std::string>());
  return tool && tool->MayBlock(m.params.value("arguments", json::object()));
}

std::shared_ptr<std::atomic<bool>> McpSession::Track(const json& id) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_[id.dump()] = flag;
  return flag;
}

void McpSession::Untrack(const json& id) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(id.dump());
}

json McpSession::Dispatch(const Message& m, const std::shared_ptr<Responder>& out) {
  using transport::MakeError;
  using transport::MakeResult;
  if (m.kind == Message::Kind::kResponse) return nullptr;  // we send no requests yet
  if (m.kind == Message::Kind::kNotification) {
    if (m.method == "notifications/initialized") {
      std::lock_guard<std::mutex> lock(mu_);
      initialized_ = true;
    } else if (m.method == "notifications/cancelled" && m.params.is_object() &&
               m.params.contains("requestId")) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = in_flight_.find(m.params["requestId"].dump());
      if (it != in_flight_.end()) it->second->store(true);
    }
    return nullptr;  // unknown notifications are ignored, as JSON-RPC requires
  }
  if (!m.params.is_null() && !m.params.is_object())
    return MakeError(m.id, transport::kInvalidParams, "Invalid params: \"params\" must be an object");
  try {
    if (RequestGuard* guard = server_.guard()) {
      std::string version = protocol_version();
      std::string tool_name;
      const json* args = &m.params;
      if (m.method == "tools/call" && m.params.is_object() && m.params.contains("name") &&
          m.params["name"].is_string()) {
        tool_name = m.params["name"].get<std::string>();
        if (m.params.contains("arguments")) args = &m.params["arguments"];
      }
      CallFacts facts{m.method, tool_name.empty() ? nullptr : &tool_name, args, info_, version};
      GuardVerdict verdict = guard->Check(facts);
      if (!verdict.allow) {
        std::string why;
        for (const auto& r : verdict.reasons) why += (why.empty() ? "" : "; ") + r;
        if (why.empty()) why = "the policy did not allow this request";
        if (!tool_name.empty())
          return MakeResult(m.id, {{"content", json::array({{{"type", "text"},
                                                             {"text", "Denied by policy: " + why}}})},
                                   {"isError", true}});
        return MakeError(m.id, kPolicyDeniedError, "Denied by policy: " + why,
                         json{{"reasons", verdict.reasons}});
      }
    }
    if (m.method == "initialize") return MakeResult(m.id, Initialize(m));
    if (m.method == "ping") return MakeResult(m.id, json::object());
    if (m.method == "tools/list") return MakeResult(m.id, server_.ListTools(protocol_version()));
    if (m.method == "tools/call") {
      auto cancelled = Track(m.id);
      json result = CallTool(m, out, cancelled);
      Untrack(m.id);
      if (cancelled->load() && result.is_object() && !result.contains("error"))
        return nullptr;  // the client cancelled: it expects no response
      return result;
    }
    return MakeError(m.id, transport::kMethodNotFound, "Method not found: " + m.method);
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", m.method, e.what());
    return MakeError(m.id, transport::kInternalError, "Internal error while handling " + m.method);
  }
}

json McpSession::Initialize(const Message& m) {
  std::string requested;
  if (m.params.is_object() && m.params.contains("protocolVersion") &&
      m.params["protocolVersion"].is_string())
    requested = m.params["protocolVersion"].get<std::string>();
  const auto& supported = SupportedProtocolVersions();
  std::string chosen = std::find(supported.begin(), supported.end(), requested) != supported.end()
                           ? requested
                           : kLatestProtocolVersion;
  {
    std::lock_guard<std::mutex> lock(mu_);
    protocol_version_ = chosen;
  }
  spdlog::info("session {}: initialize (client asked {}, using {})", info_.id,
               requested.empty() ? "nothing" : requested, chosen);
  return {{"protocolVersion", chosen},
          {"capabilities", {{"tools", {{"listChanged", false}}}}},
          {"serverInfo", server_.ServerInfo()},
          {"instructions", server_.instructions()}};
}

json McpSession::CallTool(const Message& m, const std::shared_ptr<Responder>& out,
                          const std::shared_ptr<std::atomic<bool>>& cancelled) {
  using transport::MakeError;
  const json& params = m.params;
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string())
    return MakeError(m.id, transport::kInvalidParams,
                     "Invalid params: tools/call needs \"name\" (a tool from tools/list)");
  std::string name = params["name"].get<std::string>();
  Tool* tool = server_.FindTool(name);
  if (!tool)
    return MakeError(m.id, transport::kInvalidParams,
                     "Unknown tool: " + name + " (call tools/list for the tools baton has)");
  json args = params.value("arguments", json::object());
  if (args.is_null()) args = json::object();
  if (!args.is_object())
    return MakeError(m.id, transport::kInvalidParams, "Invalid params: \"arguments\" must be an object");
  json token;
  if (params.contains("_meta") && params["_meta"].is_object() &&
      params["_meta"].contains("progressToken"))
    token = params["_meta"]["progressToken"];

  ToolCallContext ctx;
  ctx.origin = {info_.id, info_.principal};
  ctx.protocol_version = protocol_version();
  ctx.cancelled = cancelled.get();
  ctx.progress = [out, token](double progress, std::optional<double> total,
                              const std::string& message) {
    if (token.is_null()) return;
    json p = {{"progressToken", token}, {"progress", progress}};
    if (total) p["total"] = *total;
    if (!message.empty()) p["message"] = message;
    out->Notify(transport::MakeNotification("notifications/progress", p));
  };
  ToolResult r = tool->Call(args, ctx);
  json result;
  if (r.is_error()) {
    result = {{"content", json::array({{{"type", "text"}, {"text", r.error}}})}, {"isError", true}};
  } else {
    result = {{"content", json::array({{{"type", "text"}, {"text", r.structured.dump()}}})},
              {"isError", false}};
    if (!Before(ctx.protocol_version, "2025-06-18")) result["structuredContent"] = r.structured;
  }
  return transport::MakeResult(m.id, std::move(result));
}

void McpSession::ReapThreads() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void McpSession::Shutdown() {
  std::vector<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    for (auto& [id, flag] : in_flight_) flag->store(true);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.thread.join();
}

}  // namespace baton
