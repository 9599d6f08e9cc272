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
  if (!jobs.ok()) return jobs.status();
  json out = StatusResult(service, *jobs, options);
  out["waited_ms"] = MonotonicMs() - start;
  for (const Job& j : *jobs)
    if (!IsTerminal(j.state)) out["timed_out"] = true;
  return out;
}

}  // namespace baton::tools
