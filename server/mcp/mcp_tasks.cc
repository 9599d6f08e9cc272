#include "server/mcp/mcp_tasks.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/json_parse.h"
#include "base/parse_number.h"
#include "base/random_id.h"
#include "base/rfc3339.h"
#include "server/mcp/mcp_server.h"
#include "server/jobs/status_result.h"
#include "storage/json_number.h"

namespace baton {

using nlohmann::json;
using transport::MakeError;
using transport::MakeResult;
using transport::Message;

namespace {

constexpr const char* kCoreEra = "2025-11-25";
constexpr const char* kRelatedTask = "io.modelcontextprotocol/related-task";
constexpr int kListPageSize = 50;

std::string JobPhrase(const Job& j) {
  std::string s = "job " + std::to_string(j.id) + " " + ToString(j.state);
  if (j.state == JobState::kRunning) s += " (attempt " + std::to_string(j.attempt) + ")";
  if (j.state == JobState::kFailed || j.state == JobState::kDead) {
    if (j.exit_code) s += " (exit " + std::to_string(*j.exit_code) + ")";
    else if (j.signal) s += " (signal " + std::to_string(*j.signal) + ")";
    if (j.state == JobState::kDead) s += " after " + std::to_string(j.attempt) + " attempts";
  }
  return s;
}

// "job 42 running (attempt 1)"; for several jobs, how many finished and the first still going.
std::string StatusMessage(const std::vector<Job>& jobs, bool cancelled) {
  if (jobs.size() == 1) {
    std::string s = JobPhrase(jobs[0]);
    if (cancelled && !IsTerminal(jobs[0].state)) s = "cancelled; " + s + ", being stopped";
    return s;
  }
  int done = 0;
  const Job* current = nullptr;
  for (const Job& j : jobs) {  // the first running job, else the first one still waiting
    if (IsTerminal(j.state)) {
      ++done;
    } else if (!current ||
               (current->state != JobState::kRunning && j.state == JobState::kRunning)) {
      current = &j;
    }
  }
  std::string s = std::to_string(done) + "/" + std::to_string(jobs.size()) + " jobs finished";
  if (current) s += "; " + JobPhrase(*current);
  if (cancelled) s = "cancelled; " + s;
  return s;
}

json InvalidTask(const json& id, const Status& s) {
  return JsonRpcError(id, Status::InvalidArgument("Failed to retrieve task: " + s.message()));
}

}  // namespace

McpTasks::McpTasks(JobService& jobs, JobStore& store, const Clock& clock, TaskOptions options)
    : jobs_(jobs), store_(store), clock_(clock), options_(options) {}

bool McpTasks::DeclaresExtension(const json& caps) {
  return caps.is_object() && caps.contains("extensions") && caps["extensions"].is_object() &&
         caps["extensions"].contains(kTasksExtension) &&
         caps["extensions"][kTasksExtension].is_object();
}

Result<TaskRequest> McpTasks::ForToolCall(const json& params, bool modern, const json& caps,
                                          bool supports) const {
  TaskRequest r;
  if (modern) {
    if (supports && DeclaresExtension(caps)) r.mode = TaskMode::kExtension;
    return r;
  }
  if (!params.contains("task")) return r;
  const json& task = params["task"];
  if (!task.is_object())
    return Status::InvalidArgument("\"task\" must be an object, e.g. {\"ttl\": 3600000}");
  if (!supports)
    return Status::FailedPrecondition(
        "this tool does not support task-augmented calls (execution.taskSupport is absent); "
        "call it without \"task\"");
  if (task.contains("ttl") && !task["ttl"].is_null()) {
    // Bounded so that the cast (and now + ttl) stays inside int64: 100 years is plenty.
    constexpr double kMaxTtlMs = 100 * 365 * 86400e3;
    std::optional<double> ttl = JsonNumber(task["ttl"], 0, kMaxTtlMs);
    if (!ttl)
      return Status::InvalidArgument("\"task.ttl\" must be a number of milliseconds from 0 to " +
                                     std::to_string(static_cast<int64_t>(kMaxTtlMs)));
    r.ttl_ms = static_cast<int64_t>(*ttl);
  }
  r.mode = TaskMode::kCore;
  return r;
}

Result<json> McpTasks::Answer(const TaskRequest& request, const std::string& tool,
                              const ToolResult& deferred, const Origin& origin) {
  int64_t now = clock_.NowMs();
  if (auto pruned = store_.PruneExpiredTasks(now); !pruned.ok())
    spdlog::warn("pruning expired tasks: {}", pruned.status().ToString());
  TaskRecord rec;
  rec.id = RandomHexId(16);  // 128 bits from the kernel's CSPRNG
  rec.principal = origin.principal;
  rec.session = origin.session;
  rec.era = request.mode == TaskMode::kCore ? kCoreEra : kModernProtocolVersion;
  rec.tool = tool;
  rec.job_ids = deferred.task_jobs;
  rec.view_json = deferred.task_view.is_null() ? "{}" : deferred.task_view.dump();
  rec.created_ms = now;
  rec.ttl_ms = std::clamp(request.ttl_ms.value_or(options_.default_ttl_ms), options_.min_ttl_ms,
                          options_.max_ttl_ms);
  BATON_RETURN_IF_ERROR(store_.CreateTask(rec));
  BATON_ASSIGN_OR_RETURN(TaskSnapshot snap, Snapshot(rec));
  spdlog::info("task {} ({}, {}) on jobs {}", rec.id, rec.era, tool, json(rec.job_ids).dump());
  if (request.mode == TaskMode::kExtension) {
    // Nothing to wait for: the ordinary result, as the client would have had without tasks.
    if (snap.terminal()) return ToolResultOf(snap);
    json t = ExtensionTask(snap);
    t["resultType"] = "task";
    return t;
  }
  json result = {{"task", CoreTask(snap)}};
  result["_meta"]["io.modelcontextprotocol/model-immediate-response"] =
      snap.message + ". It runs in the background as task " + rec.id +
      "; its result will follow when it ends.";
  return result;
}

Result<TaskSnapshot> McpTasks::Snapshot(TaskRecord record) {
  TaskSnapshot s;
  s.last_updated_ms = record.created_ms;
  for (JobId id : record.job_ids) {
    auto j = jobs_.Get(id);
    if (!j.ok()) {
      if (j.status().code() == StatusCode::kNotFound)
        return Status::NotFound("the job " + std::to_string(id) + " of task " + record.id +
                                " no longer exists (deleted by retention)");
      return j.status();
    }
    s.last_updated_ms = std::max(s.last_updated_ms, j->updated_ms);
    s.jobs.push_back(std::move(*j));
  }
  bool all_ended = true, any_cancelled = false, all_cancelled_or_skipped = true;
  for (const Job& j : s.jobs) {
    all_ended = all_ended && IsTerminal(j.state);
    any_cancelled = any_cancelled || j.state == JobState::kCancelled;
    all_cancelled_or_skipped = all_cancelled_or_skipped &&
                               (j.state == JobState::kCancelled || j.state == JobState::kSkipped);
  }
  const bool cancelled = record.cancelled_ms.has_value();
  if (cancelled) {
    s.status = "cancelled";  // and it stays so, whatever the jobs do (2025-11-25)
    s.last_updated_ms = std::max(s.last_updated_ms, *record.cancelled_ms);
  } else if (!all_ended) {
    s.status = "working";
  } else {
    s.status = any_cancelled && all_cancelled_or_skipped ? "cancelled" : "completed";
  }
  s.message = StatusMessage(s.jobs, cancelled);
  int64_t age = clock_.NowMs() - record.created_ms;
  s.poll_interval_ms =
      std::clamp(age / 10, options_.min_poll_interval_ms, options_.max_poll_interval_ms);
  s.record = std::move(record);
  return s;
}

Result<TaskSnapshot> McpTasks::Get(const std::string& id, const std::string& principal) {
  BATON_ASSIGN_OR_RETURN(TaskRecord rec, store_.GetTask(id, principal, clock_.NowMs()));
  return Snapshot(std::move(rec));
}

Result<TaskSnapshot> McpTasks::Cancel(const std::string& id, const std::string& principal) {
  BATON_ASSIGN_OR_RETURN(TaskSnapshot snap, Get(id, principal));
  if (snap.terminal())
    return Status::FailedPrecondition("task " + id + " has already ended (" + snap.status + ")");
  BATON_RETURN_IF_ERROR(store_.MarkTaskCancelled(id, principal, clock_.NowMs()));
  for (const Job& j : snap.jobs) {
    if (IsTerminal(j.state)) continue;
    auto out = jobs_.Cancel(j.id, true, "MCP task " + id + " cancelled");
    // A job that ended (or was cancelled with an earlier one) meanwhile is fine.
    if (!out.ok() && out.status().code() != StatusCode::kFailedPrecondition)
      spdlog::warn("task {}: cancelling job {}: {}", id, j.id, out.status().ToString());
  }
  spdlog::info("task {} cancelled", id);
  return Get(id, principal);
}

Result<TaskSnapshot> McpTasks::WaitEnded(const std::string& id, const std::string& principal,
                                         const std::atomic<bool>* cancelled) {
  while (true) {
    BATON_ASSIGN_OR_RETURN(TaskSnapshot snap, Get(id, principal));
    if (snap.terminal()) return snap;
    if (cancelled && cancelled->load()) return Status::Cancelled("the request was cancelled");
    std::vector<JobId> open;
    for (const Job& j : snap.jobs)
      if (!IsTerminal(j.state)) open.push_back(j.id);
    // Wakes on the job-end doorbell; bounded so that a cancelled task is seen too.
    BATON_RETURN_IF_ERROR(jobs_.Wait(open, 5000, nullptr, cancelled).status());
  }
}

json McpTasks::ToolResultOf(const TaskSnapshot& task) {
  // The tool's own answer (enqueue: job_id; chain: job_ids, chain_id) with the jobs' status, as
  // the tool returns it after an inline wait, so that it matches the tool's outputSchema.
  json view = ParseJsonOrDiscarded(task.record.view_json);
  json structured = view.is_object() && view.contains("answer") && view["answer"].is_object()
                        ? view["answer"]
                        : json::object();
  json status = StatusResult(jobs_, task.jobs, StatusOptions::FromJson(view));
  // One job's view comes unwrapped (its state replaces the answer's); several in `jobs`.
  if (structured.contains("state") && status.contains("jobs") && !status["jobs"].empty())
    structured["state"] = status["jobs"][0]["state"];
  if (structured.contains("states") && status.contains("jobs")) {
    structured["states"] = json::array();
    for (const json& j : status["jobs"]) structured["states"].push_back(j["state"]);
  }
  structured.update(status);
  return {{"content", json::array({{{"type", "text"}, {"text", structured.dump()}}})},
          {"structuredContent", structured},
          {"isError", false}};
}

json McpTasks::ExtensionTask(const TaskSnapshot& t) {
  json j = {{"taskId", t.record.id},
            {"status", t.status},
            {"statusMessage", t.message},
            {"createdAt", FormatRfc3339Ms(t.record.created_ms)},
            {"lastUpdatedAt", FormatRfc3339Ms(t.last_updated_ms)},
            {"ttlMs", t.record.ttl_ms ? json(*t.record.ttl_ms) : json(nullptr)}};
  if (!t.terminal()) j["pollIntervalMs"] = t.poll_interval_ms;
  if (t.status == "completed") {
    j["result"] = ToolResultOf(t);
    j["result"]["resultType"] = "complete";  // a 2026-07-28 result says what it is
  }
  return j;
}

json McpTasks::CoreTask(const TaskSnapshot& t) {
  json j = {{"taskId", t.record.id},
            {"status", t.status},
            {"statusMessage", t.message},
            {"createdAt", FormatRfc3339Ms(t.record.created_ms)},
            {"lastUpdatedAt", FormatRfc3339Ms(t.last_updated_ms)},
            {"ttl", t.record.ttl_ms ? json(*t.record.ttl_ms) : json(nullptr)}};
  if (!t.terminal()) j["pollInterval"] = t.poll_interval_ms;
  return j;
}

json McpTasks::List(const Message& m, const std::string& principal) {
  int64_t after = 0;
  if (m.params.is_object() && m.params.contains("cursor") && !m.params["cursor"].is_null()) {
    const json& c = m.params["cursor"];
    auto seq = c.is_string() ? ParseInt64(c.get_ref<const std::string&>(), "cursor", 0)
                             : Result<int64_t>(Status::InvalidArgument("cursor"));
    if (!seq.ok())
      return JsonRpcError(m.id, Status::InvalidArgument(
                                    "Invalid params: \"cursor\" is not a cursor from tasks/list"));
    after = *seq;
  }
  auto rows = store_.ListTasks(principal, after, kListPageSize + 1, clock_.NowMs());
  if (!rows.ok()) return JsonRpcError(m.id, Status::Internal(rows.status().message()));
  json tasks = json::array();
  std::optional<int64_t> next;
  for (size_t i = 0; i < rows->size(); ++i) {
    if (i == kListPageSize) {
      next = (*rows)[i - 1].seq;
      break;
    }
    auto snap = Snapshot((*rows)[i]);
    if (snap.ok()) tasks.push_back(CoreTask(*snap));  // a task whose jobs were pruned is gone
  }
  json result = {{"tasks", tasks}};
  if (next) result["nextCursor"] = std::to_string(*next);
  return MakeResult(m.id, result);
}

json McpTasks::MissingExtensionError(const json& request_id) {
  return MakeError(request_id, kMissingClientCapabilityError, "Missing required client capability",
                   json{{"requiredCapabilities",
                         {{"extensions", {{kTasksExtension, json::object()}}}}}});
}

std::optional<json> McpTasks::Serve(const Message& m, bool modern, const json& caps,
                                    const std::string& principal,
                                    const std::atomic<bool>* cancelled) {
  const std::string& method = m.method;
  const bool ours = modern ? (method == "tasks/get" || method == "tasks/cancel" ||
                              method == "tasks/update")
                           : (method == "tasks/get" || method == "tasks/cancel" ||
                              method == "tasks/result" || method == "tasks/list");
  if (!ours) return std::nullopt;
  if (modern && !DeclaresExtension(caps)) return MissingExtensionError(m.id);
  if (method == "tasks/list") return List(m, principal);
  if (!m.params.is_object() || !m.params.contains("taskId") || !m.params["taskId"].is_string())
    return JsonRpcError(m.id,
                        Status::InvalidArgument("Invalid params: " + method +
                                                " needs \"taskId\" (from the tools/call result)"));
  const std::string id = m.params["taskId"].get<std::string>();

  if (method == "tasks/get") {
    auto snap = Get(id, principal);
    if (!snap.ok()) return InvalidTask(m.id, snap.status());
    return MakeResult(m.id, modern ? ExtensionTask(*snap) : CoreTask(*snap));
  }
  if (method == "tasks/update") {  // baton's tasks never need input: nothing is outstanding
    auto snap = Get(id, principal);
    if (!snap.ok()) return InvalidTask(m.id, snap.status());
    return MakeResult(m.id, json::object());
  }
  if (method == "tasks/cancel") {
    auto snap = Cancel(id, principal);
    if (!snap.ok()) {
      if (snap.status().code() == StatusCode::kFailedPrecondition) {
        // 2026-07-28: acknowledge (the work finished first); 2025-11-25: -32602.
        if (modern) return MakeResult(m.id, json::object());
        return JsonRpcError(m.id,
                            Status::InvalidArgument("Cannot cancel: " + snap.status().message()));
      }
      return InvalidTask(m.id, snap.status());
    }
    return MakeResult(m.id, modern ? json::object() : CoreTask(*snap));
  }
  // tasks/result: blocks until the task has ended, then the tool's result.
  auto snap = WaitEnded(id, principal, cancelled);
  if (!snap.ok()) {
    if (snap.status().code() == StatusCode::kCancelled) return json(nullptr);
    return InvalidTask(m.id, snap.status());
  }
  json result = ToolResultOf(*snap);
  result["_meta"][kRelatedTask] = {{"taskId", id}};
  return MakeResult(m.id, result);
}

}  // namespace baton
