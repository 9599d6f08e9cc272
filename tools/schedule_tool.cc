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
       "Manage cron schedules that enqueue a job on every run. action \"create\" needs name, cron "
       "(5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" for 03:00 "
       "daily, \"*/15 9-17 * * mon-fri\"), spec (a job spec like enqueue's, without run_at, "
       "delay_seconds, depends_on, idempotency_key), optional tz (IANA zone, default UTC) and "
       "catch_up: when runs were missed because no runner was alive, \"skip\" (default) records "
       "them as missed, \"run_once\" records them and runs one job now. action \"list\" shows "
       "every schedule with its next run, last job and missed runs; \"delete\" removes one by "
       "name (its jobs stay). Jobs of a schedule carry the label schedule=<name> (jobs tool)."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"action", {{"type", "string"}, {"enum", {"create", "list", "delete"}}}},
          {"name", {{"type", "string"}}},
          {"cron", {{"type", "string"}}},
          {"tz", {{"type", "string"}, {"description", "IANA time zone (default UTC)."}}},
          {"catch_up", {{"type", "string"}, {"enum", {"skip", "run_once"}}}},
          {"spec", JobSpecSchema()}}},
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

ToolResult ScheduleTool::Call(const json& args, ToolCallContext& ctx) {
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  auto action = StringArgument(args, "action", true);
  if (!action.ok()) return ToolResult::FromStatus(action.status());
  if (*action == "list") {
    auto list = jobs_.ListSchedules();
    if (!list.ok()) return ToolResult::FromStatus(list.status());
    json out = json::array();
    for (const Schedule& s : *list) out.push_back(ScheduleView(s));
    return ToolResult::Ok({{"schedules", out}});
  }
  auto name = StringArgument(args, "name", true);
  if (!name.ok()) return ToolResult::FromStatus(name.status());
  if (*action == "delete") {
    if (Status s = jobs_.DeleteSchedule(*name); !s.ok()) return ToolResult::FromStatus(s);
    return ToolResult::Ok({{"deleted", *name}});
  }
  if (*action != "create")
    return ToolResult::Error("Invalid arguments: `action` must be \"create\", \"list\" or \"delete\"");
  auto cron = StringArgument(args, "cron", true);
  if (!cron.ok()) return ToolResult::FromStatus(cron.status());
  auto tz = StringArgument(args, "tz", false);
  if (!tz.ok()) return ToolResult::FromStatus(tz.status());
  auto catch_up_text = StringArgument(args, "catch_up", false);
  if (!catch_up_text.ok()) return ToolResult::FromStatus(catch_up_text.status());
  auto catch_up = catch_up_text->empty() ? std::optional<CatchUp>(CatchUp::kSkip)
                                         : CatchUpFromString(*catch_up_text);
  if (!catch_up)
    return ToolResult::Error("Invalid arguments: `catch_up` must be \"skip\" or \"run_once\"");
  if (!args.contains("spec"))
    return ToolResult::Error("Invalid arguments: `spec` is required: the job spec each run "
                             "enqueues, e.g. {\"command\": [\"make\", \"nightly\"]}");
  auto s = jobs_.CreateSchedule(*name, *cron, tz->empty() ? kDefaultScheduleTimeZone : *tz,
                                *catch_up, args["spec"], ctx.origin);
  if (!s.ok()) return ToolResult::FromStatus(s.status());
  return ToolResult::Ok({{"schedule", ScheduleView(*s)}});
}

}  // namespace baton::tools
