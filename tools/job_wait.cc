#include "tools/job_wait.h"

#include <map>

#include "base/clock.h"

namespace baton::tools {

using nlohmann::json;

const json& WaitArgumentSchema() {
  static const json kSchema = {
      {"type", "boolean"},
      {"description", "Also wait for the result, like status with wait_seconds."}};
  return kSchema;
}

void AddWaitOutputProperties(json& schema) {
  // One job's view comes unwrapped (StatusOptions::single), several inside `jobs`.
  for (const auto& [key, value] : JobViewSchema()["properties"].items())
    if (!schema["properties"].contains(key)) schema["properties"][key] = value;
  schema["properties"]["jobs"] = {{"type", "array"}, {"items", JobViewSchema()}};
  schema["properties"]["waited_ms"] = {{"type", "integer"}};
  schema["properties"]["timed_out"] = {{"type", "boolean"}};
}

Result<json> WaitForJobs(JobService& service, const std::vector<JobId>& ids, int64_t wait_ms,
                         const StatusOptions& options, ToolCallContext& ctx) {
  // Channel news (server/mcp/job_news.h): none for a job while this call waits on it.
  auto note = [&](JobId id, bool ended) {
    if (ctx.note_job) ctx.note_job(id, ended);
  };
  for (JobId id : ids) note(id, true);
  std::map<JobId, JobState> before;  // a timed-out wait shows in full only what changed
  for (JobId id : ids)
    if (auto j = service.Get(id); j.ok()) before[id] = j->state;
  int64_t start = MonotonicMs();
  double total = static_cast<double>(wait_ms) / 1000.0;
  auto jobs = service.Wait(ids, wait_ms,
                           [&](const std::vector<Job>& now) {
                             int done = 0;
                             for (const Job& j : now) done += IsTerminal(j.state) ? 1 : 0;
                             double elapsed = static_cast<double>(MonotonicMs() - start) / 1000.0;
                             if (ctx.progress)
                               ctx.progress(elapsed, total,
                                            std::to_string(done) + "/" +
                                                std::to_string(now.size()) + " finished; waiting");
                           },
                           ctx.cancelled);
  if (!jobs.ok()) {
    for (JobId id : ids) note(id, false);
    return jobs.status();
  }
  // The wait gave up on these: the session hears when they end. Read again afterwards, so that
  // an end in between is in this result rather than lost.
  for (Job& j : *jobs) {
    if (IsTerminal(j.state)) continue;
    note(j.id, false);
    if (auto fresh = service.Get(j.id); fresh.ok()) j = std::move(*fresh);
  }
  bool timed_out = false;
  for (const Job& j : *jobs) {
    if (IsTerminal(j.state)) note(j.id, true);  // the caller sees its end here
    else timed_out = true;
  }
  json out = StatusResult(service, *jobs, options);
  if (timed_out) {
    // A job still where it was when the wait began is only its id and state.
    auto unchanged = [&](const json& v) {
      auto it = before.find(v.value("job_id", JobId{0}));
      return it != before.end() && !IsTerminal(it->second) &&
             v.value("state", "") == ToString(it->second);
    };
    auto brief = [](const json& v) { return json{{"job_id", v["job_id"]}, {"state", v["state"]}}; };
    if (out.contains("jobs")) {
      for (json& v : out["jobs"])
        if (unchanged(v)) v = brief(v);
    } else if (unchanged(out)) {
      out = brief(out);
    }
    out["timed_out"] = true;
  }
  // How long it waited says something only when the wait ran out (or to a verbose reader).
  if (timed_out || options.view.verbose) out["waited_ms"] = MonotonicMs() - start;
  return out;
}

}  // namespace baton::tools
