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
       "Run a job that ended dead (the dead-letter queue), failed, cancelled or skipped again, "
       "with fresh attempts; its history is kept. A succeeded job cannot be retried: enqueue "
       "it again."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"reason", {{"type", "string"}}}}},
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

namespace {
struct RetryCall final : ToolRequest {
  JobId job_id = 0;
  std::string reason;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> RetryTool::Parse(const json& args) const {
  BATON_RETURN_IF_ERROR(RejectUnknownArguments(args, definition_["inputSchema"]));
  auto request = std::make_unique<RetryCall>();
  BATON_ASSIGN_OR_RETURN(request->job_id, JobIdArgument(args, "job_id"));
  if (args.contains("reason")) {
    if (!args["reason"].is_string() || args["reason"].get<std::string>().size() > 1000)
      return Status::InvalidArgument("`reason` must be a string of at most 1000 characters");
    request->reason = args["reason"].get<std::string>();
  }
  request->arguments = args;
  request->arguments["job_id"] = request->job_id;
  request->target_job = request->job_id;
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult RetryTool::Run(const ToolRequest& request, ToolCallContext& ctx) {
  const auto& req = static_cast<const RetryCall&>(request);
  auto job = jobs_.Retry(req.job_id, req.reason, ctx.origin);
  if (!job.ok()) return ToolResult::FromStatus(job.status());
  return ToolResult::Ok({{"job", JobView(*job, std::nullopt, {false, 0})}});
}

}  // namespace baton::tools
