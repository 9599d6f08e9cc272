#include "tools/retry_tool.h"

#include "server/jobs/job_view.h"
#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

RetryTool::RetryTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "retry"},
      {"title", "Retry a finished job"},
      {"description",
       "Re-queue a job that ended dead (retries exhausted: the dead-letter queue, list it with "
       "jobs state=dead), failed, cancelled or skipped. It runs again with fresh attempts (its "
       "retry policy counts from zero again); attempt numbers continue and its earlier "
       "attempts, output and events are kept. Jobs that were skipped or cancelled because of it "
       "are not re-run. A succeeded job cannot be retried: enqueue it again. Returns the job."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"reason", {{"type", "string"}, {"description", "Recorded in the job's history."}}}}},
        {"required", {"job_id"}}}},
      {"outputSchema", {{"type", "object"},
                        {"properties", {{"job", JobViewSchema()}}},
                        {"required", {"job"}}}},
      {"annotations",
       {{"title", "Retry a finished job"},
        {"readOnlyHint", false},
        {"destructiveHint", false},
        {"idempotentHint", false},
        {"openWorldHint", true}}}};
}

ToolResult RetryTool::Call(const json& args, ToolCallContext& ctx) {
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  auto id = JobIdArgument(args, "job_id");
  if (!id.ok()) return ToolResult::FromStatus(id.status());
  std::string reason;
  if (args.contains("reason")) {
    if (!args["reason"].is_string() || args["reason"].get<std::string>().size() > 1000)
      return ToolResult::Error("Invalid arguments: `reason` must be a string of at most 1000 characters");
    reason = args["reason"].get<std::string>();
  }
  auto job = jobs_.Retry(*id, reason, ctx.origin);
  if (!job.ok()) return ToolResult::FromStatus(job.status());
  return ToolResult::Ok({{"job", JobView(*job, std::nullopt, {false, 0})}});
}

}  // namespace baton::tools
