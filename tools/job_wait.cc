#include "tools/job_wait.h"

#include "base/clock.h"

namespace baton::tools {

using nlohmann::json;

const json& WaitArgumentSchema() {
  static const json kSchema = {
      {"type", "boolean"},
      {"description",
       "Wait for the job(s) to finish and return their status, like `status` with wait_seconds. "
       "A client that supports MCP tasks gets a task handle at once instead."}};
  return kSchema;
}

void AddWaitOutputProperties(json& schema) {
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
  json out = StatusResult(service, *jobs, options);
  out["waited_ms"] = MonotonicMs() - start;
  for (const Job& j : *jobs) {
    if (IsTerminal(j.state)) note(j.id, true);  // the caller sees its end here
    else out["timed_out"] = true;
  }
  return out;
}

}  // namespace baton::tools
