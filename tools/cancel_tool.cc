#include "tools/cancel_tool.h"

#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

CancelTool::CancelTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "cancel"},
      {"title", "Cancel a job"},
      {"description",
       "Cancel a job: a queued one leaves the queue, a running one's process group gets "
       "SIGTERM then SIGKILL (it is cancelled once it stopped). The jobs that depend on it are "
       "cancelled too unless cascade is false."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"cascade", {{"type", "boolean"}}},
          {"reason", {{"type", "string"}}}}},
        {"required", {"job_id"}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"state", {{"type", "string"}}},
          {"cascaded", {{"type", "array"}, {"items", {{"type", "integer"}}}}}}},
        {"required", {"job_id", "state", "cascaded"}}}},
      {"annotations",
       {{"title", "Cancel a job"},
        {"readOnlyHint", false},
        {"destructiveHint", true},
        {"idempotentHint", false},
        {"openWorldHint", false}}}};
}

namespace {
struct CancelCall final : ToolRequest {
  JobId job_id = 0;
  bool cascade = true;
  std::string reason;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> CancelTool::Parse(const json& args) const {
  BATON_RETURN_IF_ERROR(RejectUnknownArguments(args, definition_["inputSchema"]));
  auto request = std::make_unique<CancelCall>();
  BATON_ASSIGN_OR_RETURN(request->job_id, JobIdArgument(args, "job_id"));
  if (args.contains("cascade")) {
    if (!args["cascade"].is_boolean())
      return Status::InvalidArgument("`cascade` must be true or false");
    request->cascade = args["cascade"].get<bool>();
  }
  if (args.contains("reason")) {
    if (!args["reason"].is_string() || args["reason"].get<std::string>().size() > 1000)
      return Status::InvalidArgument("`reason` must be a string of at most 1000 characters");
    request->reason = args["reason"].get<std::string>();
  }
  request->arguments = args;
  request->arguments["job_id"] = request->job_id;  // "7" is job 7, for the policy too
  request->target_job = request->job_id;
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult CancelTool::Run(const ToolRequest& request, ToolCallContext&) {
  const auto& req = static_cast<const CancelCall&>(request);
  auto out = jobs_.Cancel(req.job_id, req.cascade, req.reason);
  if (!out.ok()) return ToolResult::FromStatus(out.status());
  json state = out->state == JobState::kRunning ? "cancelling" : ToString(out->state);
  return ToolResult::Ok({{"job_id", req.job_id}, {"state", state}, {"cascaded", out->cascaded}});
}

}  // namespace baton::tools
