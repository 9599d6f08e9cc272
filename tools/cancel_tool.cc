#include "tools/cancel_tool.h"

#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

CancelTool::CancelTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "cancel"},
      {"title", "Cancel a job"},
      {"description",
       "Cancel a job. A queued or pending job leaves the queue at once; a running job's whole "
       "process group gets SIGTERM, then SIGKILL after a grace period (the state becomes "
       "`cancelled` when it has stopped: check with status). With cascade (default true) the "
       "jobs that depend on it are cancelled too; with cascade false they follow their own "
       "conditions (success-only dependents are skipped). Cancelling a finished job is an "
       "error. Returns the job's state and the ids cancelled with it."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"cascade", {{"type", "boolean"}, {"description", "Also cancel dependents (default true)."}}},
          {"reason", {{"type", "string"}, {"description", "Recorded with the job."}}}}},
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

ToolResult CancelTool::Call(const json& args, ToolCallContext&) {
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  auto id = JobIdArgument(args, "job_id");
  if (!id.ok()) return ToolResult::FromStatus(id.status());
  bool cascade = true;
  if (args.contains("cascade")) {
    if (!args["cascade"].is_boolean())
      return ToolResult::Error("Invalid arguments: `cascade` must be true or false");
    cascade = args["cascade"].get<bool>();
  }
  std::string reason;
  if (args.contains("reason")) {
    if (!args["reason"].is_string() || args["reason"].get<std::string>().size() > 1000)
      return ToolResult::Error("Invalid arguments: `reason` must be a string of at most 1000 characters");
    reason = args["reason"].get<std::string>();
  }
  auto out = jobs_.Cancel(*id, cascade, reason);
  if (!out.ok()) return ToolResult::FromStatus(out.status());
  json state = out->state == JobState::kRunning ? "cancelling" : ToString(out->state);
  return ToolResult::Ok({{"job_id", *id}, {"state", state}, {"cascaded", out->cascaded}});
}

}  // namespace baton::tools
