// server/mcp/mcp_tasks.h
//
// MCP tasks backed by durable jobs, for both protocol eras:
//   - 2026-07-28 tasks extension `io.modelcontextprotocol/tasks` (SEP-2663, repository
//     modelcontextprotocol/ext-tasks, specification/2026-07-28/tasks.md): when a request's
//     client capabilities declare the extension, a tool call that would wait for jobs answers at
//     once with {resultType: "task", taskId, status: "working", ...}; the client polls
//     `tasks/get` (the completed task carries the tool result) and may send `tasks/cancel`.
//   - 2025-11-25 core tasks (basic/utilities/tasks.mdx): a tools/call with `params.task`
//     becomes a task ({task: {...}}); `tasks/get`, `tasks/result` (blocks until the task ends),
//     `tasks/list`, `tasks/cancel`.
// A task is a row in the `tasks` table (storage/task_record.h) naming the jobs the call would
// have waited for; its status is read from those jobs, so any front-end on the database, and one
// restarted after the task was created, answers for it. Task ids are 128 random bits, and a task
// is visible only to the principal that created it (to anyone else it does not exist).
// A completed task's result is what the `status` tool returns for its jobs.
// Thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "server/jobs/job_service.h"
#include "server/mcp/tool.h"
#include "storage/job_store.h"
#include "transport/jsonrpc.h"

namespace baton {

inline constexpr const char* kTasksExtension = "io.modelcontextprotocol/tasks";

struct TaskOptions {
  int64_t default_ttl_ms = 24LL * 3600 * 1000;
  int64_t min_ttl_ms = 3600LL * 1000;            // a requested ttl is raised to this
  int64_t max_ttl_ms = 7LL * 24 * 3600 * 1000;   // and lowered to this
  int64_t min_poll_interval_ms = 1000;           // young tasks are polled often,
  int64_t max_poll_interval_ms = 15000;          // old ones (a 20-minute build) less
};

// A task as it stands now.
struct TaskSnapshot {
  TaskRecord record;
  std::vector<Job> jobs;
  std::string status;   // "working", "completed" or "cancelled"
  std::string message;  // statusMessage: "job 42 running (attempt 1)"
  int64_t last_updated_ms = 0;
  int64_t poll_interval_ms = 0;
  bool terminal() const { return status != "working"; }
};

// How one tools/call is to be served, decided before the tool runs.
struct TaskRequest {
  TaskMode mode = TaskMode::kNone;
  std::optional<int64_t> ttl_ms;  // core: the client's params.task.ttl
};

class McpTasks {
 public:
  McpTasks(JobService& jobs, JobStore& store, const Clock& clock, TaskOptions options = {});

  // For a tools/call: the extension when the request's capabilities declare it (modern), a core
  // task when params.task is present (legacy). InvalidArgument for a malformed params.task;
  // FailedPrecondition (JSON-RPC -32601) when a task is asked of a tool that cannot be one.
  Result<TaskRequest> ForToolCall(const nlohmann::json& params, bool modern,
                                  const nlohmann::json& client_capabilities,
                                  bool tool_supports_tasks) const;
  // The tools/call result for a deferred tool result: CreateTaskResult of the era, or (extension)
  // the tool result itself when the jobs have already finished. The task is durable when this
  // returns.
  Result<nlohmann::json> Answer(const TaskRequest& request, const std::string& tool,
                                const ToolResult& deferred, const Origin& origin);

  Result<TaskSnapshot> Get(const std::string& id, const std::string& principal);
  // Marks the task cancelled and cancels its unfinished jobs (and their dependents).
  // FailedPrecondition when the task had already ended.
  Result<TaskSnapshot> Cancel(const std::string& id, const std::string& principal);
  // Blocks until the task has ended; Cancelled when `cancelled` becomes true first.
  Result<TaskSnapshot> WaitEnded(const std::string& id, const std::string& principal,
                                 const std::atomic<bool>* cancelled);

  // Wire shapes. The extension's Task (ttlMs, pollIntervalMs; a completed task carries
  // `result`) and the core Task (ttl, pollInterval).
  nlohmann::json ExtensionTask(const TaskSnapshot& task);
  static nlohmann::json CoreTask(const TaskSnapshot& task);
  // The CallToolResult of the task: the status tool's result for its jobs.
  nlohmann::json ToolResultOf(const TaskSnapshot& task);

  // Serves tasks/get, tasks/cancel, tasks/update (modern) or tasks/get, tasks/result,
  // tasks/list, tasks/cancel (legacy); nullopt for any other method.
  std::optional<nlohmann::json> Serve(const transport::Message& m, bool modern,
                                      const nlohmann::json& client_capabilities,
                                      const std::string& principal,
                                      const std::atomic<bool>* cancelled);

  // True when `capabilities` (a request's client capabilities) declare the extension.
  static bool DeclaresExtension(const nlohmann::json& capabilities);
  // The -32021 error a request gets when it needs the extension its client did not declare.
  static nlohmann::json MissingExtensionError(const nlohmann::json& request_id);

 private:
  Result<TaskSnapshot> Snapshot(TaskRecord record);
  nlohmann::json List(const transport::Message& m, const std::string& principal);

  JobService& jobs_;
  JobStore& store_;
  const Clock& clock_;
  TaskOptions options_;
};

}  // namespace baton
