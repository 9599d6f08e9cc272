#include "tools/schedule_tool.h"

#include "server/jobs/job_view.h"
#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

namespace {
Result<std::string> StringArgument(const json& args, const std::string& field, bool required) {
  if (!args.contains(field)) {
    if (required) return Status::InvalidArgument("`" + field + "` is required for this action");
    return std::string();
  }
  if (!args[field].is_string()) return Status::InvalidArgument("`" + field + "` must be a string");
  return args[field].get<std::string>();
}
}  // namespace

ScheduleTool::ScheduleTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "schedule"},
      {"title", "Cron schedules"},
      {"description",
       "Cron schedules that enqueue a job on every run (create, list, delete). cron has 5 "
       "fields: \"0 3 * * *\" is 03:00 daily. catch_up: after runs missed while no runner was "
       "alive, skip (default) or run_once. Their jobs carry the label schedule=NAME."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"action", {{"type", "string"}, {"enum", {"create", "list", "delete"}}}},
          {"name", {{"type", "string"}}},
          {"cron", {{"type", "string"}}},
          {"tz", {{"type", "string"}, {"description", "IANA zone, default UTC."}}},
          {"catch_up", {{"type", "string"}, {"enum", {"skip", "run_once"}}}},
          {"spec", JobSpecByReference(", without run_at, delay_seconds, depends_on, idempotency_key")}}},
        {"required", {"action"}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"schedules", {{"type", "array"}, {"items", {{"type", "object"}}}}},
          {"schedule", {{"type", "object"}}},
          {"deleted", {{"type", "string"}}}}}}},
      {"annotations",
       {{"title", "Cron schedules"},
        {"readOnlyHint", false},
        {"destructiveHint", true},
        {"idempotentHint", false},
        {"openWorldHint", true}}}};
}

namespace {
struct ScheduleCall final : ToolRequest {
  std::string action, name;
  std::optional<ParsedSchedule> create;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> ScheduleTool::Parse(const json& args) const {
  BATON_RETURN_IF_ERROR(RejectUnknownArguments(args, definition_["inputSchema"]));
  auto request = std::make_unique<ScheduleCall>();
  request->arguments = args;
  BATON_ASSIGN_OR_RETURN(request->action, StringArgument(args, "action", true));
  if (request->action == "list") return std::unique_ptr<ToolRequest>(std::move(request));
  BATON_ASSIGN_OR_RETURN(request->name, StringArgument(args, "name", true));
  if (request->action == "delete") return std::unique_ptr<ToolRequest>(std::move(request));
  if (request->action != "create")
    return Status::InvalidArgument("`action` must be \"create\", \"list\" or \"delete\"");
  BATON_ASSIGN_OR_RETURN(std::string cron, StringArgument(args, "cron", true));
  BATON_ASSIGN_OR_RETURN(std::string tz, StringArgument(args, "tz", false));
  BATON_ASSIGN_OR_RETURN(std::string catch_up_text, StringArgument(args, "catch_up", false));
  auto catch_up = catch_up_text.empty() ? std::optional<CatchUp>(CatchUp::kSkip)
                                        : CatchUpFromString(catch_up_text);
  if (!catch_up) return Status::InvalidArgument("`catch_up` must be \"skip\" or \"run_once\"");
  if (!args.contains("spec"))
    return Status::InvalidArgument("`spec` is required: the job spec each run enqueues, e.g. "
                                   "{\"command\": [\"make\", \"nightly\"]}");
  BATON_ASSIGN_OR_RETURN(request->create,
                         jobs_.ParseSchedule(request->name, cron,
                                             tz.empty() ? kDefaultScheduleTimeZone : tz,
                                             *catch_up, args["spec"]));
  request->arguments["spec"] = request->create->spec.normalized;  // expanded, normalized
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult ScheduleTool::Run(const ToolRequest& request, ToolCallContext& ctx) {
  const auto& req = static_cast<const ScheduleCall&>(request);
  if (req.action == "list") {
    auto list = jobs_.ListSchedules();
    if (!list.ok()) return ToolResult::FromStatus(list.status());
    json out = json::array();
    for (const Schedule& s : *list) out.push_back(ScheduleView(s));
    return ToolResult::Ok({{"schedules", out}});
  }
  if (req.action == "delete") {
    if (Status s = jobs_.DeleteSchedule(req.name); !s.ok()) return ToolResult::FromStatus(s);
    return ToolResult::Ok({{"deleted", req.name}});
  }
  auto s = jobs_.CreateSchedule(*req.create, ctx.origin);
  if (!s.ok()) return ToolResult::FromStatus(s.status());
  return ToolResult::Ok({{"schedule", ScheduleView(*s)}});
}

}  // namespace baton::tools
