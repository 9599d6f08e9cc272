// tools/job_wait.h
//
// What the tools that can wait for jobs share (status with wait_seconds, enqueue and chain with
// `wait: true`): wait inline with progress notifications, or, when the client takes tasks
// (ToolCallContext::task_mode), hand the jobs to the session as a task instead.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "server/jobs/job_service.h"
#include "server/jobs/status_result.h"
#include "server/mcp/tool.h"

namespace baton::tools {

// The `wait` argument of enqueue and chain, for inputSchema.
const nlohmann::json& WaitArgumentSchema();
// The properties a waited-for result adds to an outputSchema: one job's view (unwrapped), jobs,
// waited_ms, timed_out.
void AddWaitOutputProperties(nlohmann::json& output_schema);

// Waits up to wait_ms (capped by the service) for every job to finish, sending progress, and
// returns the status result (StatusResult). When some job has not finished it adds timed_out and
// waited_ms, and a job whose state did not change during the wait shows only its id and state;
// waited_ms also with a verbose view.
Result<nlohmann::json> WaitForJobs(JobService& service, const std::vector<JobId>& ids,
                                   int64_t wait_ms, const StatusOptions& options,
                                   ToolCallContext& ctx);

}  // namespace baton::tools
