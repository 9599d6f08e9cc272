// server/mcp/tool.h
//
// An MCP tool as the session sees it: a definition (name, title, description, schemas,
// annotations), a parse and a run. Tools live in tools/, one per file, and call the job service;
// the session validates nothing but the envelope. Each tool parses its own arguments once, into a
// ToolRequest (a bad one is an error Status the session answers as a tool error that tells the
// agent what to fix); the policy judges that request and the tool runs that same request, so the
// two never read the arguments differently (a template is expanded once per call).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/status.h"
#include "storage/job.h"

namespace baton {

// How a call that would wait for jobs is to be answered (server/mcp/mcp_tasks.h).
enum class TaskMode {
  kNone,       // wait inline, as always
  kExtension,  // 2026-07-28 tasks extension: a call that would wait returns a task instead
  kCore,       // 2025-11-25 task-augmented tools/call: the call always becomes a task
};

struct ToolCallContext {
  Origin origin;
  std::string protocol_version;
  // Sends notifications/progress when the client asked for progress; no-op otherwise.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress;
  // Becomes true when the client cancels the request or the session ends.
  const std::atomic<bool>* cancelled = nullptr;
  // Sends notifications/message (level "debug".."emergency") when the client's log level admits
  // it; no-op otherwise. Set by the session.
  std::function<void(const std::string& level, const nlohmann::json& data)> log;
  // Sends a request to the client (sampling/createMessage, elicitation/create, roots/list) and
  // waits for its result. FailedPrecondition when the client did not declare the capability,
  // Unavailable when the connection cannot carry it. Set by the session.
  std::function<Result<nlohmann::json>(const std::string& method, const nlohmann::json& params)>
      request_client;
  // The capabilities the client declared (initialize, or the request's _meta).
  nlohmann::json client_capabilities = nlohmann::json::object();
  // Ends the HTTP response stream mid-call (the client resumes it with Last-Event-ID); no-op
  // on other transports.
  std::function<void()> close_stream;
  // Set by the session when the client can take a task handle (see TaskMode). A tool that
  // supports tasks then answers with ToolResult::Deferred instead of waiting.
  TaskMode task_mode = TaskMode::kNone;
  // What the caller knows of a job, for news in its session (Claude Code channels): ended=true
  // while a status wait on it runs and when a call returned its final state (no need to tell);
  // false when a wait gave up before the job ended (tell the session when it does). Set by the
  // session; may be empty.
  std::function<void(int64_t job_id, bool ended)> note_job;
};

struct ToolResult {
  nlohmann::json structured;  // structuredContent (also sent as a text block)
  std::string error;          // non-empty: isError with this text
  nlohmann::json content;     // when set: the content blocks, sent as they are
  int rpc_error = 0;          // non-zero: answer with this JSON-RPC error instead (protocol errors)
  nlohmann::json rpc_error_data;
  // Deferred: the jobs the call would have waited for, how to show them (the status tool's view
  // options) and the tool's own answer so far; the session answers with a task on them, whose
  // result is that answer plus the status of the jobs (server/mcp/mcp_tasks.h).
  std::vector<JobId> task_jobs;
  nlohmann::json task_view;
  bool is_error() const { return !error.empty(); }
  bool deferred() const { return !task_jobs.empty(); }

  static ToolResult Ok(nlohmann::json structured) { return {std::move(structured), "", nullptr, 0, nullptr}; }
  static ToolResult Error(std::string message) { return {nullptr, std::move(message), nullptr, 0, nullptr}; }
  static ToolResult Content(nlohmann::json blocks) { return {nullptr, "", std::move(blocks), 0, nullptr}; }
  static ToolResult ProtocolError(int code, std::string message, nlohmann::json data = nullptr) {
    return {nullptr, std::move(message), nullptr, code, std::move(data)};
  }
  static ToolResult Deferred(std::vector<JobId> jobs, nlohmann::json view,
                             nlohmann::json answer = nlohmann::json::object()) {
    ToolResult r;
    r.task_jobs = std::move(jobs);
    r.task_view = std::move(view);
    r.task_view["answer"] = std::move(answer);
    return r;
  }
  // A failed Status as a message an agent can act on.
  static ToolResult FromStatus(const Status& status);
};

// What an agent may do about a denial: the reasons say what the policy wants; the rest is the
// user's call, never something to work around.
inline constexpr const char* kPolicyDeniedHint =
    ". What you may do: change the call to meet the policy (the reasons above say what it "
    "wants, e.g. a command it allows), or ask the user to allow this or run it themselves; do "
    "not try to get around the policy";

// The one mapping of a failed Status to a JSON-RPC error, for requests refused as protocol
// errors (a tool that ran and failed answers with ToolResult::FromStatus instead):
//   InvalidArgument     -32602 Invalid params (a missing field; an unknown tool, prompt, task)
//   NotFound            -32002 Resource not found
//   FailedPrecondition  -32000 valid, but not in this state (not initialized, no session)
//   Unavailable         -32000 the server cannot take it now (shutting down, too many sessions)
//   PermissionDenied    -32001 denied by policy
//   anything else       -32603 Internal error
// Codes no Status stands for stay named at their one site: method not found, invalid request,
// parse error and the 2026-07-28 codes (header mismatch, missing capability, version).
int JsonRpcErrorCode(const Status& status);
// The error response to request `id`: JsonRpcErrorCode(status) and the status's message.
nlohmann::json JsonRpcError(const nlohmann::json& id, const Status& status,
                            nlohmann::json data = nullptr);

// A tool call's arguments, parsed once by the tool (Tool::Parse). Tools derive their typed request
// from it; the fields here are what the policy sees of the call (docs/policy.md, "The input
// document"), computed by the tool so that the guard needs no knowledge of argument shapes.
struct ToolRequest {
  virtual ~ToolRequest() = default;
  // input.arguments: the normalized arguments (for job-creating tools the expanded, normalized job
  // spec; job ids as numbers). A tool that takes its arguments as they are reads them here.
  nlohmann::json arguments = nlohmann::json::object();
  std::optional<JobId> target_job;   // the job the call acts on (status, cancel, retry): input.job
  std::optional<std::string> origin; // enqueue: "direct" or "template" (input.origin)
  nlohmann::json template_use;       // a template enqueue: {name, params} (input.template)
  int chain_depth = 0;               // input.chain
  std::optional<JobId> chain_parent;
};

class Tool {
 public:
  virtual ~Tool() = default;
  // {name, title, description, inputSchema, outputSchema, annotations}
  virtual const nlohmann::json& Definition() const = 0;
  // True when this call may wait (the session runs it on its own thread).
  virtual bool MayBlock(const nlohmann::json& /*arguments*/) const { return false; }
  // True when the tool can answer with a task on jobs (ToolResult::Deferred; tools/list then
  // says execution.taskSupport "optional" on 2025-11-25).
  virtual bool SupportsTasks() const { return false; }
  // Parses `arguments` (an object) once. InvalidArgument (or NotFound, ...) naming the bad
  // argument: the session answers it as a tool error, through ToolResult::FromStatus. The default
  // takes the arguments as they are (ToolRequest::arguments).
  virtual Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const;
  // Runs a request this tool's Parse returned.
  virtual ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) = 0;
  // Parse, then Run: a call without a policy check (tests, in-process callers).
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx);

  std::string name() const { return Definition().at("name").get<std::string>(); }
};

}  // namespace baton
