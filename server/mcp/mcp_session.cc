#include "server/mcp/mcp_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "server/mcp/batch_responder.h"
#include "server/mcp/mcp_tasks.h"

namespace baton {

using nlohmann::json;
using transport::MakeError;
using transport::MakeResult;
using transport::Message;

namespace {

// Methods 2026-07-28 removed (served only after initialize).
bool RemovedInModernEra(const std::string& method) {
  return method == "initialize" || method == "ping" || method == "logging/setLevel" ||
         method == "resources/subscribe" || method == "resources/unsubscribe";
}

}  // namespace

McpSession::McpSession(McpServer& server, SessionInfo info)
    : server_(server), info_(std::move(info)) {}

McpSession::~McpSession() { Shutdown(); }

std::string McpSession::protocol_version() {
  std::lock_guard<std::mutex> lock(mu_);
  return protocol_version_;
}

bool McpSession::initialized() {
  std::lock_guard<std::mutex> lock(mu_);
  return initialized_;
}

void McpSession::HandleFrame(std::string_view frame, const std::shared_ptr<Responder>& out) {
  HandleParsed(transport::ParseLine(frame), out);
}

void McpSession::HandleJson(const json& value, const std::shared_ptr<Responder>& out) {
  transport::ParsedLine parsed;
  if (value.is_array()) {
    parsed.is_batch = true;
    if (value.empty()) {
      out->Respond(MakeError(nullptr, transport::kInvalidRequest, "Invalid Request: empty batch"));
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
      out->Respond(MakeError(
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
      Observe(in.message, response);
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
  auto run = [this, out](const Message& m) {
    json response = Dispatch(m, out);
    Observe(m, response);
    if (!response.is_null()) out->Respond(response);
    else if (m.kind == Message::Kind::kRequest) out->Dropped(m.id);
  };
  if (IsBlockingCall(in.message)) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    Message m = in.message;
    // Registered now, so that a cancellation arriving before the thread runs is not lost.
    if (m.method == "tools/call" || m.method == "subscriptions/listen" ||
        m.method == "tasks/result")
      Track(m.id);
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return out->Dropped(m.id);
    workers_.push_back({std::thread([run, m, done] {
                          run(m);
                          done->store(true);
                        }),
                        done});
    return;
  }
  run(in.message);
}

bool McpSession::IsBlockingCall(const Message& m) {
  if (m.kind != Message::Kind::kRequest) return false;
  if (async_ || m.method == "subscriptions/listen") return true;  // listen lasts
  if (m.method == "tasks/result") return true;  // blocks until the task ends
  if (m.method != "tools/call" || !m.params.is_object()) return false;
  const json& name = m.params.value("name", json());
  if (!name.is_string()) return false;
  Tool* tool = server_.FindTool(name.get<std::string>());
  const json& args = m.params.value("arguments", json::object());
  return tool && args.is_object() && tool->MayBlock(args);  // bad arguments: answered at once
}

std::shared_ptr<std::atomic<bool>> McpSession::Track(const json& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& flag = in_flight_[id.dump()];  // may exist already: registered before its thread ran
  if (!flag) flag = std::make_shared<std::atomic<bool>>(false);
  if (shutting_down_) flag->store(true);
  return flag;
}

void McpSession::Untrack(const json& id) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(id.dump());
}

void McpSession::Observe(const Message& m, const json& response) {
  RequestObserver* observer = server_.request_observer();
  if (!observer || m.kind != Message::Kind::kRequest) return;
  const char* outcome = "ok";
  bool unknown = false;
  if (response.is_null()) {
    outcome = "cancelled";
  } else if (response.contains("error")) {
    outcome = "error";
    const json& code = response["error"].value("code", json());
    unknown = code.is_number_integer() && code.get<int>() == transport::kMethodNotFound;
  } else if (response.contains("result") && response["result"].is_object() &&
             response["result"].contains("isError") && response["result"]["isError"] == true) {
    outcome = "tool_error";
  }
  // Only the methods MCP defines name a series: any other string a client sends is "unknown".
  static const std::set<std::string> kKnown = {
      "initialize", "ping", "server/discover", "tools/list", "tools/call", "resources/list",
      "resources/read", "resources/subscribe", "resources/unsubscribe",
      "resources/templates/list", "prompts/list", "prompts/get", "completion/complete",
      "logging/setLevel", "subscriptions/listen", "tasks/get", "tasks/list", "tasks/cancel",
      "tasks/result", "tasks/update"};
  unknown = unknown || kKnown.count(m.method) == 0;
  observer->Answered(info_.transport, unknown ? "unknown" : m.method, outcome);
}

void McpSession::HandleNotification(const Message& m) {
  std::lock_guard<std::mutex> lock(mu_);
  if (m.method == "notifications/initialized") {
    initialized_ = true;
  } else if (m.method == "notifications/cancelled" && m.params.is_object() &&
             m.params.contains("requestId")) {
    auto it = in_flight_.find(m.params["requestId"].dump());
    if (it != in_flight_.end()) it->second->store(true);
  }
  // Unknown notifications are ignored, as JSON-RPC requires.
}

json McpSession::Dispatch(const Message& m, const std::shared_ptr<Responder>& out) {
  if (m.kind == Message::Kind::kResponse) {  // to one of our server-to-client requests
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(m.id.dump());
    if (it != pending_.end()) {
      it->second->done = true;
      it->second->response = m.raw;
      pending_cv_.notify_all();
    }
    return nullptr;
  }
  if (m.kind == Message::Kind::kNotification) {
    HandleNotification(m);
    return nullptr;
  }
  if (!m.params.is_null() && !m.params.is_object())
    return JsonRpcError(m.id,
                        Status::InvalidArgument("Invalid params: \"params\" must be an object"));
  try {
    // A request is modern when its _meta says so; a bare server/discover is a legacy request
    // for an unknown method (-32601), on which dual-era clients fall back to initialize.
    const bool modern = HasModernMeta(m.raw);
    if (!modern) {
      if (auto early = RefuseBeforeInitialize(m)) return *early;
      RequestScope scope = LegacyScope();
      // A tools/call is judged in CallTool, on the request its tool parsed.
      if (m.method != "tools/call")
        if (auto denied = Guard(m, scope)) return *denied;
      return Serve(m, scope, out);
    }
    if (auto invalid = CheckModernMeta(m)) return *invalid;
    RequestScope scope = ModernScope(m);
    if (RemovedInModernEra(m.method))
      return MakeError(m.id, transport::kMethodNotFound,
                       "Method not found: " + m.method + " is not part of protocol " +
                           scope.protocol_version);
    if (m.method != "tools/call")
      if (auto denied = Guard(m, scope)) return *denied;
    if (m.method == "server/discover" && server_.prefer_legacy())
      return MakeError(m.id, transport::kMethodNotFound,
                       "Method not found: server/discover (this server prefers the initialize "
                       "handshake; send initialize)");
    json response = m.method == "server/discover" ? Discover(m) : Serve(m, scope, out);
    // 2026-07-28: every result says what it is and who produced it.
    if (response.is_object() && response.contains("result") && response["result"].is_object()) {
      json& r = response["result"];
      if (!r.contains("resultType")) r["resultType"] = "complete";
      r["_meta"]["io.modelcontextprotocol/serverInfo"] = server_.ServerInfo();
      static const std::set<std::string> kCacheable = {
          "server/discover", "tools/list", "prompts/list", "resources/list",
          "resources/templates/list", "resources/read"};
      if (kCacheable.count(m.method)) {
        if (!r.contains("ttlMs")) r["ttlMs"] = 0;
        if (!r.contains("cacheScope")) r["cacheScope"] = "private";
      }
    }
    return response;
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", m.method, e.what());
    return JsonRpcError(m.id, Status::Internal("Internal error while handling " + m.method));
  }
}

std::optional<json> McpSession::RefuseBeforeInitialize(const Message& m) {
  // Lifecycle (2025-06-18 and 2025-11-25 basic/lifecycle): before the initialize response the
  // client sends nothing but pings. A bare server/discover stays a method-not-found (-32601):
  // dual-era clients probe it first and fall back to initialize on that error.
  // Only methods this server serves are held back: an unknown one stays -32601 either way.
  static const char* kServed[] = {"tools/", "resources/", "prompts/", "tasks/", "completion/",
                                  "logging/", "subscriptions/"};
  bool served = false;
  for (const char* prefix : kServed) served = served || m.method.rfind(prefix, 0) == 0;
  if (!served) return std::nullopt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (initialize_answered_) return std::nullopt;
  }
  return JsonRpcError(
      m.id, Status::FailedPrecondition(
                "Not initialized: send initialize first (protocol 2025-11-25 and earlier), or "
                "carry the protocol version in the request's _meta (2026-07-28); " +
                m.method + " is served only after that"));
}

std::optional<json> McpSession::Guard(const Message& m, const RequestScope& scope) {
  std::string tool_name;
  const json* args = &m.params;
  if (m.method == "tools/call" && m.params.is_object() && m.params.contains("name") &&
      m.params["name"].is_string()) {
    tool_name = m.params["name"].get<std::string>();
    if (m.params.contains("arguments")) args = &m.params["arguments"];
  }
  return Judge(m, {m.method, tool_name.empty() ? nullptr : &tool_name, args, info_,
                   scope.protocol_version});
}

std::optional<json> McpSession::Judge(const Message& m, const CallFacts& facts) {
  RequestGuard* guard = server_.guard();
  if (!guard) return std::nullopt;
  GuardVerdict verdict = guard->Check(facts);
  if (verdict.allow) return std::nullopt;
  std::string why;
  for (const auto& r : verdict.reasons) why += (why.empty() ? "" : "; ") + r;
  if (why.empty()) why = "the policy did not allow this request";
  std::string hints;
  for (const auto& h : verdict.hints) hints += (hints.empty() ? "" : "; ") + h;
  if (facts.tool)
    return MakeResult(m.id, {{"content", json::array({{{"type", "text"},
                                                       {"text", "Denied by policy: " + why +
                                                                    (hints.empty() ? "" : ". Hint: " + hints) +
                                                                    kPolicyDeniedHint}}})},
                             {"isError", true}});
  return JsonRpcError(m.id, Status::PermissionDenied("Denied by policy: " + why),
                      json{{"reasons", verdict.reasons}});
}

json McpSession::Serve(const Message& m, const RequestScope& scope,
                       const std::shared_ptr<Responder>& out) {
  const std::string& method = m.method;
  const bool resources = server_.has_resources(), prompts = server_.has_prompts();
  if (method == "initialize") return MakeResult(m.id, Initialize(m));
  if (method == "ping") return MakeResult(m.id, json::object());
  if (method == "tools/list") return MakeResult(m.id, server_.ListTools(scope.protocol_version));
  if (method == "tools/call") {
    auto cancelled = Track(m.id);
    json result = CallTool(m, scope, out, cancelled);
    Untrack(m.id);
    if (cancelled->load() && result.is_object() && !result.contains("error"))
      return nullptr;  // the client cancelled: it expects no response
    return result;
  }
  if (McpTasks* tasks = server_.tasks(); tasks && method.rfind("tasks/", 0) == 0) {
    auto cancelled = Track(m.id);
    auto r = tasks->Serve(m, scope.modern, scope.client_capabilities, info_.principal,
                          cancelled.get());
    Untrack(m.id);
    if (r) return *r;
  }
  if (method == "logging/setLevel") return SetLogLevel(m);
  if (resources && method == "resources/list") return MakeResult(m.id, server_.ListResources());
  if (resources && method == "resources/templates/list")
    return MakeResult(m.id, server_.ListResourceTemplates());
  if (resources && method == "resources/read") return ReadResource(m);
  if (resources && (method == "resources/subscribe" || method == "resources/unsubscribe"))
    return SubscribeResource(m);
  if (method == "subscriptions/listen") {  // 2026-07-28 only (legacy: method not found)
    auto cancelled = Track(m.id);
    json result = scope.modern ? Listen(m, scope, out, cancelled) : json();
    Untrack(m.id);
    if (scope.modern) return result;
  }
  if (prompts && method == "prompts/list") return MakeResult(m.id, server_.ListPrompts());
  if (prompts && method == "prompts/get") return GetPrompt(m);
  if (server_.has_completions() && method == "completion/complete") return Complete(m);
  return MakeError(m.id, transport::kMethodNotFound, "Method not found: " + method);
}

json McpSession::Initialize(const Message& m) {
  std::string requested;
  json caps = json::object();
  if (m.params.is_object()) {
    if (m.params.contains("protocolVersion") && m.params["protocolVersion"].is_string())
      requested = m.params["protocolVersion"].get<std::string>();
    if (m.params.contains("capabilities") && m.params["capabilities"].is_object())
      caps = m.params["capabilities"];
  }
  const auto& supported = SupportedProtocolVersions();
  std::string chosen = std::find(supported.begin(), supported.end(), requested) != supported.end()
                           ? requested
                           : kLatestProtocolVersion;
  {
    std::lock_guard<std::mutex> lock(mu_);
    protocol_version_ = chosen;
    client_capabilities_ = caps;
    initialize_answered_ = true;
  }
  RegisterLegacyListener(chosen, caps);
  spdlog::info("session {}: initialize (client asked {}, using {})", info_.id,
               requested.empty() ? "nothing" : requested, chosen);
  return {{"protocolVersion", chosen},
          {"capabilities", server_.Capabilities(chosen)},
          {"serverInfo", server_.ServerInfo()},
          {"instructions", server_.instructions()}};
}

json McpSession::CallTool(const Message& m, const RequestScope& scope,
                          const std::shared_ptr<Responder>& out,
                          const std::shared_ptr<std::atomic<bool>>& cancelled) {
  const json& params = m.params;
  // An envelope the session refuses is still judged as sent: a denial answers first.
  auto refuse = [&](json error) -> json {
    if (auto denied = Guard(m, scope)) return *denied;
    return error;
  };
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string())
    return refuse(JsonRpcError(m.id, Status::InvalidArgument("Invalid params: tools/call needs "
                                                             "\"name\" (a tool from tools/list)")));
  std::string name = params["name"].get<std::string>();
  Tool* tool = server_.FindTool(name);
  if (!tool)
    return refuse(JsonRpcError(
        m.id, Status::InvalidArgument("Unknown tool: " + name +
                                      " (call tools/list for the tools this server has)")));
  // A call that would wait for jobs may become a task (server/mcp/mcp_tasks.h).
  McpTasks* tasks = server_.tasks();
  TaskRequest task_request;
  if (tasks && (scope.modern || scope.protocol_version == "2025-11-25")) {
    auto tr = tasks->ForToolCall(params, scope.modern, scope.client_capabilities,
                                 tool->SupportsTasks());
    if (!tr.ok())
      return refuse(MakeError(m.id,
                              tr.status().code() == StatusCode::kFailedPrecondition
                                  ? transport::kMethodNotFound
                                  : transport::kInvalidParams,
                              "Invalid params: " + tr.status().message()));
    task_request = *tr;
  }
  json args = params.value("arguments", json::object());
  if (args.is_null()) args = json::object();
  if (!args.is_object())
    return refuse(JsonRpcError(
        m.id, Status::InvalidArgument("Invalid params: \"arguments\" must be an object")));
  // The arguments are parsed once: the policy judges the request the tool then runs.
  Result<std::unique_ptr<ToolRequest>> request = tool->Parse(args);
  CallFacts facts{m.method, &name, &args, info_, scope.protocol_version};
  if (request.ok()) facts.request = request->get();
  else facts.invalid = &request.status();
  if (auto denied = Judge(m, facts)) return *denied;
  if (!request.ok()) return ToolResponse(m.id, ToolResult::FromStatus(request.status()), scope);
  json token;
  if (params.contains("_meta") && params["_meta"].is_object() &&
      params["_meta"].contains("progressToken"))
    token = params["_meta"]["progressToken"];

  ToolCallContext ctx;
  ctx.origin = {info_.id, info_.principal};
  ctx.protocol_version = scope.protocol_version;
  ctx.cancelled = cancelled.get();
  ctx.client_capabilities = scope.client_capabilities;
  ctx.progress = [out, token](double progress, std::optional<double> total,
                              const std::string& message) {
    if (token.is_null()) return;
    json p = {{"progressToken", token}, {"progress", progress}};
    if (total) p["total"] = *total;
    if (!message.empty()) p["message"] = message;
    out->Notify(transport::MakeNotification("notifications/progress", p));
  };
  ctx.log = [out, scope](const std::string& level, const json& data) {
    static const std::vector<std::string> kLevels = {"debug",    "info",  "notice", "warning",
                                                     "error",    "critical", "alert", "emergency"};
    auto rank = [](const std::string& l) {
      return std::find(kLevels.begin(), kLevels.end(), l) - kLevels.begin();
    };
    if (scope.log_level ? rank(level) < rank(*scope.log_level) : !scope.log_unset_sends) return;
    out->Notify(transport::MakeNotification("notifications/message",
                                            {{"level", level}, {"data", data}}));
  };
  ctx.request_client = [this, out, scope, cancelled](const std::string& method, const json& p) {
    return RequestClient(method, p, scope, out, cancelled.get());
  };
  ctx.close_stream = [out] { out->CloseStream(); };
  ctx.task_mode = task_request.mode;
  ctx.note_job = [this](int64_t job_id, bool ended) { NoteJob(job_id, ended); };
  ToolResult r = tool->Run(**request, ctx);
  if (r.deferred()) {
    Result<json> answer =
        tasks ? tasks->Answer(task_request, name, r, ctx.origin)
              : Result<json>(Status::Internal("the tool deferred to a task, but tasks are off"));
    if (!answer.ok())
      return JsonRpcError(m.id, Status::Internal("Internal error: could not create the task: " +
                                                 answer.status().message()));
    return MakeResult(m.id, std::move(*answer));
  }
  return ToolResponse(m.id, r, scope);
}

json McpSession::ToolResponse(const json& id, const ToolResult& r, const RequestScope& scope) {
  if (r.rpc_error != 0) return MakeError(id, r.rpc_error, r.error, r.rpc_error_data);
  json result;
  if (r.is_error()) {
    result = {{"content", json::array({{{"type", "text"}, {"text", r.error}}})}, {"isError", true}};
  } else if (!r.content.is_null()) {
    result = {{"content", r.content}, {"isError", false}};
  } else {
    result = {{"content", json::array({{{"type", "text"}, {"text", r.structured.dump()}}})},
              {"isError", false}};
    if (scope.protocol_version >= "2025-06-18") result["structuredContent"] = r.structured;
  }
  return MakeResult(id, std::move(result));
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
    legacy_listener_.reset();  // no more unsolicited news
    workers.swap(workers_);
  }
  pending_cv_.notify_all();
  for (auto& w : workers) w.thread.join();
}

}  // namespace baton
