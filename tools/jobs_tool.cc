#include "tools/jobs_tool.h"

#include "base/rfc3339.h"
#include "server/jobs/job_view.h"
#include "storage/json_number.h"
#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

namespace {
constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 200;

Result<int64_t> TimeArgument(const json& args, const std::string& field) {
  const json& v = args[field];
  std::optional<int64_t> ns;
  if (v.is_string()) ns = ParseRfc3339Ns(v.get<std::string>());
  if (!ns)
    return Status::InvalidArgument("`" + field +
                                   "` must be an RFC 3339 time such as \"2026-11-24T10:30:00Z\"");
  return *ns / 1000000;
}
}  // namespace

JobsTool::JobsTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "jobs"},
      {"title", "List jobs"},
      {"description",
       "List jobs, newest first, one short row each (use status for a job's output). Find "
       "your jobs, the dead-letter queue (state dead, which retry re-queues) or a schedule's "
       "runs (label {\"schedule\": NAME}). Pass next_cursor as cursor for the next page."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"state",
           {{"description", "A state or an array of states."},
            {"anyOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"type", "string"}}}}}}}},
          {"queue", {{"type", "string"}}},
          {"label", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
          {"created_after", {{"type", "string"}, {"description", "RFC 3339."}}},
          {"created_before", {{"type", "string"}}},
          {"cursor", {{"type", "string"}}},
          {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxLimit},
                     {"description", "Default " + std::to_string(kDefaultLimit) + "."}}},
          {"verbose",
           {{"type", "boolean"}, {"description", "Also queue, attempt, times, error, labels."}}}}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"jobs", {{"type", "array"}, {"items", JobRowSchema()}}},
          {"next_cursor", {{"type", "string"}}},
          {"runner_warning", {{"type", "string"}}}}},
        {"required", {"jobs"}}}},
      {"annotations",
       {{"title", "List jobs"},
        {"readOnlyHint", true},
        {"idempotentHint", true},
        {"openWorldHint", false}}}};
}

ToolResult JobsTool::Run(const ToolRequest& request, ToolCallContext&) {
  const json& args = request.arguments;
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  JobFilter f;
  f.limit = kDefaultLimit;
  if (args.contains("state")) {
    json states = args["state"].is_array() ? args["state"] : json::array({args["state"]});
    for (const json& s : states) {
      auto st = s.is_string() ? JobStateFromString(s.get<std::string>()) : std::nullopt;
      if (!st)
        return ToolResult::Error("Invalid arguments: `state` " + s.dump() +
                                 " is not one of pending, queued, running, succeeded, failed, "
                                 "dead, cancelled, skipped");
      f.states.push_back(*st);
    }
  }
  if (args.contains("queue")) {
    if (!args["queue"].is_string()) return ToolResult::Error("Invalid arguments: `queue` must be a string");
    f.queue = args["queue"].get<std::string>();
  }
  if (args.contains("label")) {
    const json& l = args["label"];
    if (!l.is_object() || l.size() != 1 || !l.begin().value().is_string())
      return ToolResult::Error("Invalid arguments: `label` must be one {\"key\": \"value\"} pair");
    f.label_key = l.begin().key();
    f.label_value = l.begin().value().get<std::string>();
  }
  for (const char* field : {"created_after", "created_before"}) {
    if (!args.contains(field)) continue;
    auto t = TimeArgument(args, field);
    if (!t.ok()) return ToolResult::FromStatus(t.status());
    (std::string(field) == "created_after" ? f.created_after_ms : f.created_before_ms) = *t;
  }
  if (args.contains("cursor")) {
    auto id = JobIdArgument(args, "cursor");
    if (!id.ok())
      return ToolResult::Error("Invalid arguments: `cursor` must be a next_cursor value returned "
                               "by a previous jobs call");
    f.before_id = *id;
  }
  bool verbose = false;
  if (args.contains("verbose")) {
    if (!args["verbose"].is_boolean())
      return ToolResult::Error("Invalid arguments: `verbose` must be true or false, got " +
                               args["verbose"].dump());
    verbose = args["verbose"].get<bool>();
  }
  if (args.contains("limit")) {
    const json& l = args["limit"];
    std::optional<int64_t> limit = JsonInteger(l, 1, kMaxLimit);
    if (!limit)
      return ToolResult::Error("Invalid arguments: `limit` must be an integer from 1 to " +
                               std::to_string(kMaxLimit) + ", got " + l.dump());
    f.limit = static_cast<int>(*limit);
  }
  const int page = f.limit;
  f.limit = page + 1;  // one more tells whether there is a next page
  auto jobs = jobs_.List(f);
  if (!jobs.ok()) return ToolResult::FromStatus(jobs.status());
  json out = {{"jobs", json::array()}};
  for (size_t i = 0; i < jobs->size() && i < static_cast<size_t>(page); ++i)
    out["jobs"].push_back(JobRow((*jobs)[i], verbose));
  if (jobs->size() > static_cast<size_t>(page))
    out["next_cursor"] = std::to_string((*jobs)[page - 1].id);
  auto health = jobs_.CheckRunner();
  if (health.ok() && health->stale)
    out["runner_warning"] = "the runner (pid " + std::to_string(health->runner->pid) +
                            ") has not heartbeat for " +
                            std::to_string(health->heartbeat_age_ms / 1000) +
                            " s and looks hung: jobs are not being started; ask the user to "
                            "kill it so that a new runner recovers the jobs";
  return ToolResult::Ok(std::move(out));
}

}  // namespace baton::tools
