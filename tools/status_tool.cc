#include "tools/status_tool.h"

#include <algorithm>
#include <cmath>

#include "server/job_view.h"
#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

namespace {
constexpr size_t kMaxIds = 100;
}

StatusTool::StatusTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "status"},
      {"title", "Job status"},
      {"description",
       "Get the state of one job (job_id) or several (job_ids): state (pending, queued, "
       "running, succeeded, failed, dead, cancelled, skipped), attempt, exit code or signal, "
       "timings, the last lines of stdout/stderr and the error. With wait_seconds (capped at " +
           std::to_string(jobs.options().max_wait_ms / 1000) +
           ") it waits until every listed job has finished and returns as soon as they have, or "
           "when the wait runs out (check each state; call again to keep waiting). Prefer one "
           "call with a wait over repeated polling."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}, {"description", "One job id."}}},
          {"job_ids",
           {{"type", "array"}, {"items", {{"type", "integer"}}}, {"description", "Several ids."}}},
          {"wait_seconds",
           {{"type", "number"},
            {"minimum", 0},
            {"description", "Wait up to this long for the jobs to finish (capped at " +
                                std::to_string(jobs.options().max_wait_ms / 1000) + " s)."}}},
          {"attempts",
           {{"type", "boolean"},
            {"description", "Include every attempt with its outcome (retries, lost, timeouts)."}}},
          {"tail_bytes",
           {{"type", "integer"},
            {"description", "How much of the end of stdout/stderr to include (default 2000, max 4000)."}}}}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"jobs", {{"type", "array"}, {"items", JobViewSchema()}}},
          {"waited_ms", {{"type", "integer"}}},
          {"timed_out", {{"type", "boolean"}}}}},
        {"required", {"jobs"}}}},
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

ToolResult StatusTool::Call(const json& args, ToolCallContext& ctx) {
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  std::vector<JobId> ids;
  if (args.contains("job_id") && args.contains("job_ids"))
    return ToolResult::Error("Invalid arguments: give `job_id` or `job_ids`, not both");
  if (args.contains("job_ids")) {
    const json& list = args["job_ids"];
    if (!list.is_array() || list.empty() || list.size() > kMaxIds)
      return ToolResult::Error("Invalid arguments: `job_ids` must be an array of 1 to 100 job ids");
    for (size_t i = 0; i < list.size(); ++i) {
      auto id = JobIdArgument(json{{"job_ids[" + std::to_string(i) + "]", list[i]}},
                              "job_ids[" + std::to_string(i) + "]");
      if (!id.ok()) return ToolResult::FromStatus(id.status());
      ids.push_back(*id);
    }
  } else {
    auto id = JobIdArgument(args, "job_id");
    if (!id.ok()) return ToolResult::FromStatus(id.status());
    ids.push_back(*id);
  }
  double wait_s = 0;
  if (args.contains("wait_seconds")) {
    const json& w = args["wait_seconds"];
    if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0)
      return ToolResult::Error("Invalid arguments: `wait_seconds` must be a number of seconds, 0 "
                               "or more (waits are capped at " +
                               std::to_string(jobs_.options().max_wait_ms / 1000) + ")");
    // Capped, not refused: a longer wait would be moved to the background by Claude Code.
    wait_s = std::min(w.get<double>(), jobs_.options().max_wait_ms / 1000.0);
  }
  JobViewOptions view;
  if (args.contains("tail_bytes")) {
    const json& t = args["tail_bytes"];
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > 4000)
      return ToolResult::Error("Invalid arguments: `tail_bytes` must be an integer from 0 to 4000");
    view.tail_bytes = t.get<size_t>();
    view.output = view.tail_bytes > 0;
  }
  bool with_attempts = false;
  if (args.contains("attempts")) {
    if (!args["attempts"].is_boolean())
      return ToolResult::Error("Invalid arguments: `attempts` must be true or false");
    with_attempts = args["attempts"].get<bool>();
  }
  int64_t start = MonotonicMs();
  std::vector<Job> jobs;
  // Channel news (server/job_news.h): none for a job while this call waits on it.
  auto note = [&](JobId id, bool ended) {
    if (ctx.note_job) ctx.note_job(id, ended);
  };
  if (wait_s > 0) {
    for (JobId id : ids) note(id, true);
    double total = wait_s;
    auto r = jobs_.Wait(ids, static_cast<int64_t>(wait_s * 1000),
                        [&](const std::vector<Job>& now) {
                          int done = 0;
                          for (const Job& j : now) done += IsTerminal(j.state) ? 1 : 0;
                          double elapsed = (MonotonicMs() - start) / 1000.0;
                          ctx.progress(elapsed, total,
                                       std::to_string(done) + "/" + std::to_string(now.size()) +
                                           " finished; waiting");
                        },
                        ctx.cancelled);
    if (!r.ok()) {
      for (JobId id : ids) note(id, false);
      return ToolResult::FromStatus(r.status());
    }
    jobs = std::move(*r);
    // The wait gave up on these: the session hears when they end. Read again afterwards, so
    // that an end in between is in this result rather than lost.
    for (Job& j : jobs) {
      if (IsTerminal(j.state)) continue;
      note(j.id, false);
      if (auto fresh = jobs_.Get(j.id); fresh.ok()) j = std::move(*fresh);
    }
  } else {
    for (JobId id : ids) {
      auto j = jobs_.Get(id);
      if (!j.ok()) return ToolResult::FromStatus(j.status());
      jobs.push_back(std::move(*j));
    }
  }
  json out = {{"jobs", json::array()}};
  bool all_done = true;
  for (const Job& j : jobs) {
    std::optional<Attempt> latest;
    if (j.state == JobState::kRunning) {
      auto attempts = jobs_.Attempts(j.id);
      if (attempts.ok() && !attempts->empty()) latest = attempts->back();
    }
    all_done = all_done && IsTerminal(j.state);
    if (IsTerminal(j.state)) note(j.id, true);  // the caller sees its end here
    json v = JobView(j, latest, view);
    if (with_attempts) {
      auto attempts = jobs_.Attempts(j.id);
      if (attempts.ok()) v["attempts"] = AttemptsView(*attempts);
    }
    out["jobs"].push_back(std::move(v));
  }
  if (wait_s > 0) {
    out["waited_ms"] = MonotonicMs() - start;
    if (!all_done) out["timed_out"] = true;
  }
  return ToolResult::Ok(std::move(out));
}

}  // namespace baton::tools
