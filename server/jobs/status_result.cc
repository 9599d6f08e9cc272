#include "server/jobs/status_result.h"

namespace baton {

using nlohmann::json;

json StatusOptions::ToJson() const {
  return {{"output", view.output}, {"tail_bytes", view.tail_bytes}, {"attempts", attempts},
          {"verbose", view.verbose},   {"single", single}};
}

StatusOptions StatusOptions::FromJson(const json& j) {
  StatusOptions o;
  if (!j.is_object()) return o;
  if (j.contains("output") && j["output"].is_boolean()) o.view.output = j["output"].get<bool>();
  if (j.contains("tail_bytes") && j["tail_bytes"].is_number_unsigned())
    o.view.tail_bytes = j["tail_bytes"].get<size_t>();
  if (j.contains("attempts") && j["attempts"].is_boolean()) o.attempts = j["attempts"].get<bool>();
  if (j.contains("verbose") && j["verbose"].is_boolean()) o.view.verbose = j["verbose"].get<bool>();
  if (j.contains("single") && j["single"].is_boolean()) o.single = j["single"].get<bool>();
  return o;
}

json StatusResult(JobService& service, const std::vector<Job>& jobs, const StatusOptions& options) {
  json out = {{"jobs", json::array()}};
  for (const Job& j : jobs) {
    std::optional<Attempt> latest;
    // For a running job's pid (verbose), and an isolated job's worktree.
    if ((options.view.verbose && j.state == JobState::kRunning) || j.spec.isolation == "worktree") {
      auto attempts = service.Attempts(j.id);
      if (attempts.ok() && !attempts->empty()) latest = attempts->back();
    }
    json v = JobView(j, latest, options.view);
    if (options.attempts) {
      auto attempts = service.Attempts(j.id);
      if (attempts.ok()) v["attempts"] = AttemptsView(*attempts);
    }
    if (options.single && jobs.size() == 1) return v;
    out["jobs"].push_back(std::move(v));
  }
  return out;
}

}  // namespace baton
