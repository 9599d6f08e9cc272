// server/jobs/status_result.h
//
// The structured result of the `status` tool, shared by the tool and by MCP tasks (a completed
// task's result is exactly what `status` would show), with the view options that travel with a
// task in the database. One job asked for by `job_id` is its JobView itself; several are
// {jobs: [JobView...]}.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "server/jobs/job_service.h"
#include "server/jobs/job_view.h"

namespace baton {

struct StatusOptions {
  JobViewOptions view;
  bool attempts = false;  // every attempt of each job
  bool single = false;    // one job, shown unwrapped (not inside {jobs: [...]})

  nlohmann::json ToJson() const;
  static StatusOptions FromJson(const nlohmann::json& j);  // lenient: defaults for what is missing
};

// The view of `jobs`, in order: {jobs: [...]}, or the one view when options.single. Reads the latest attempt of running jobs (and every attempt
// with options.attempts) through `service`.
nlohmann::json StatusResult(JobService& service, const std::vector<Job>& jobs,
                            const StatusOptions& options);

}  // namespace baton
