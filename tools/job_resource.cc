#include "tools/job_resource.h"

#include "server/jobs/job_view.h"

namespace baton::tools {

using nlohmann::json;

void RegisterJobResource(McpServer& server, JobService& jobs) {
  ResourceTemplate t;
  t.definition = {
      {"uriTemplate", std::string(kJobUriPrefix) + "{id}"},
      {"name", "job"},
      {"title", "Baton job"},
      {"description",
       "One job's state as compact JSON (state, attempt, exit code, timings, output tails, "
       "error): what the status tool returns for it. Subscribe to be told when it changes."},
      {"mimeType", "application/json"}};
  t.read = [&jobs](const std::string& uri,
                   const std::map<std::string, std::string>& /*vars*/) -> Result<json> {
    auto id = JobIdFromUri(uri);
    if (!id) return Status::NotFound("no job resource " + uri + " (job ids are positive integers)");
    BATON_ASSIGN_OR_RETURN(Job job, jobs.Get(*id));
    std::optional<Attempt> latest;
    if (job.state == JobState::kRunning) {
      auto attempts = jobs.Attempts(job.id);
      if (attempts.ok() && !attempts->empty()) latest = attempts->back();
    }
    return json::array({{{"uri", uri},
                         {"mimeType", "application/json"},
                         {"text", JobView(job, latest, {.verbose = true}).dump()}}});
  };
  server.AddResourceTemplate(std::move(t));
}

}  // namespace baton::tools
