#include "tools/status_tool.h"

#include <algorithm>
#include <cmath>

#include "server/jobs/job_view.h"
#include "storage/json_number.h"
#include "tools/job_spec_schema.h"
#include "tools/job_wait.h"

namespace baton::tools {

using nlohmann::json;

namespace {
constexpr size_t kMaxIds = 100;
}

StatusTool::StatusTool(JobService& jobs) : JobTool(jobs) {
  const std::string max_wait = std::to_string(jobs.options().max_wait_ms / 1000);
  json output = {{"type", "object"}, {"properties", json::object()}};
  AddWaitOutputProperties(output);
  definition_ = {
      {"name", "status"},
      {"title", "Job status"},
      {"description",
       "Where a job stands and, once it ended, its exit code, error and the end of its output. "
       "To get a result, call once with wait_seconds (capped at " + max_wait +
           ") rather than polling; a wait that runs out returns what changed, call again to "
           "keep waiting. One job_id returns that job; job_ids return {jobs: [...]}."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"job_ids", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
          {"wait_seconds", {{"type", "number"}, {"minimum", 0}}},
          {"tail_bytes",
           {{"type", "integer"},
            {"description", "Output tail per stream, whole lines (default " +
                                std::to_string(kDefaultTailBytes) + ", max 4000)."}}},
          {"verbose",
           {{"type", "boolean"}, {"description", "Also command, queue, times, pid, labels."}}},
          {"attempts", {{"type", "boolean"}, {"description", "Every attempt's outcome."}}}}}}},
      {"outputSchema", output},
      {"annotations",
       {{"title", "Job status"},
        {"readOnlyHint", true},
        {"idempotentHint", true},
        {"openWorldHint", false}}}};
}

bool StatusTool::MayBlock(const json& args) const {
  return args.is_object() && args.contains("wait_seconds") && args["wait_seconds"].is_number() &&
         args["wait_seconds"].get<double>() > 0;
}

namespace {
struct StatusCall final : ToolRequest {
  std::vector<JobId> ids;
  double wait_s = 0;
  StatusOptions options;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> StatusTool::Parse(const json& args) const {
  BATON_RETURN_IF_ERROR(RejectUnknownArguments(args, definition_["inputSchema"]));
  auto request = std::make_unique<StatusCall>();
  std::vector<JobId>& ids = request->ids;
  if (args.contains("job_id") && args.contains("job_ids"))
    return Status::InvalidArgument("give `job_id` or `job_ids`, not both");
  if (args.contains("job_ids")) {
    const json& list = args["job_ids"];
    if (!list.is_array() || list.empty() || list.size() > kMaxIds)
      return Status::InvalidArgument("`job_ids` must be an array of 1 to 100 job ids");
    for (size_t i = 0; i < list.size(); ++i) {
      auto id = JobIdArgument(json{{"job_ids[" + std::to_string(i) + "]", list[i]}},
                              "job_ids[" + std::to_string(i) + "]");
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
  } else {
    auto id = JobIdArgument(args, "job_id");
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  double& wait_s = request->wait_s;
  if (args.contains("wait_seconds")) {
    const json& w = args["wait_seconds"];
    if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0)
      return Status::InvalidArgument("`wait_seconds` must be a number of seconds, 0 or more "
                                     "(waits are capped at " +
                                     std::to_string(jobs_.options().max_wait_ms / 1000) + ")");
    // Capped, not refused: a longer wait would be moved to the background by Claude Code.
    wait_s = std::min(w.get<double>(), jobs_.options().max_wait_ms / 1000.0);
  }
  StatusOptions& options = request->options;
  if (args.contains("tail_bytes")) {
    const json& t = args["tail_bytes"];
    std::optional<int64_t> tail = JsonInteger(t, 0, 4000);
    if (!tail)
      return Status::InvalidArgument("`tail_bytes` must be an integer from 0 to 4000, got " +
                                     t.dump());
    options.view.tail_bytes = static_cast<size_t>(*tail);
    options.view.output = options.view.tail_bytes > 0;
  }
  for (const char* flag : {"attempts", "verbose"}) {
    if (!args.contains(flag)) continue;
    if (!args[flag].is_boolean())
      return Status::InvalidArgument("`" + std::string(flag) + "` must be true or false, got " +
                                     args[flag].dump());
    (std::string(flag) == "verbose" ? options.view.verbose : options.attempts) =
        args[flag].get<bool>();
  }
  options.single = !args.contains("job_ids");
  request->arguments = args;  // with the ids as numbers: "7" is job 7, for the policy too
  if (args.contains("job_ids")) {
    request->arguments["job_ids"] = ids;
  } else {
    request->arguments["job_id"] = ids.front();
    request->target_job = ids.front();
  }
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult StatusTool::Run(const ToolRequest& request, ToolCallContext& ctx) {
  const auto& req = static_cast<const StatusCall&>(request);
  const std::vector<JobId>& ids = req.ids;
  const double wait_s = req.wait_s;
  const StatusOptions& options = req.options;
  std::vector<Job> jobs;
  for (JobId id : ids) {  // an unknown id is a tool error, never a task
    auto j = jobs_.Get(id);
    if (!j.ok()) return ToolResult::FromStatus(j.status());
    jobs.push_back(std::move(*j));
  }
  if (ctx.task_mode == TaskMode::kCore || (ctx.task_mode == TaskMode::kExtension && wait_s > 0))
    return ToolResult::Deferred(ids, options.ToJson());
  if (wait_s > 0) {
    auto out = WaitForJobs(jobs_, ids, static_cast<int64_t>(wait_s * 1000), options, ctx);
    if (!out.ok()) return ToolResult::FromStatus(out.status());
    return ToolResult::Ok(std::move(*out));
  }
  // Channel news (server/mcp/job_news.h): the caller sees these ends here.
  for (const Job& j : jobs)
    if (IsTerminal(j.state) && ctx.note_job) ctx.note_job(j.id, true);
  json out = StatusResult(jobs_, jobs, options);
  return ToolResult::Ok(std::move(out));
}

}  // namespace baton::tools
