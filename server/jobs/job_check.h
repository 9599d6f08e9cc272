// server/jobs/job_check.h
//
// The policy check of a job that no `enqueue` call asked for directly: a chain step, a retry of a
// finished job, a schedule firing, a saga compensation (docs/policy.md, "Jobs created
// indirectly"). The job is evaluated as if it were enqueued directly — the same input document
// (tool "enqueue", the normalized spec as `arguments`) — plus `origin`, which says how it came to
// be, and `source`, the facts of that origin. The job service asks before it creates chain steps
// or re-queues a job; the runner asks before the first attempt of a job it created itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/job.h"

namespace baton {

struct JobCheck {
  std::string origin;       // "chain", "retry", "schedule", "compensation"
  nlohmann::json spec;      // the normalized job spec (JobSpecToJson)
  Origin on_behalf_of;      // whose job it is: the caller, or who created the schedule/chain
  std::string transport;    // "stdio", "http", "cli", or "runner" for jobs the runner creates
  int chain_depth = 0;
  std::optional<JobId> chain_parent;
  nlohmann::json source = nlohmann::json::object();  // e.g. {"schedule": "nightly"}
  std::optional<Job> job;   // the existing job (retry): summarized as input.job
};

// The verdict on a JobCheck: allowed, or the reasons it is not. Implementations fail closed and
// log every decision. Thread-safe.
class JobChecker {
 public:
  virtual ~JobChecker() = default;
  // Empty when the job may be created/run; otherwise the deny reasons (never empty on denial).
  virtual std::vector<std::string> CheckJob(const JobCheck& check) = 0;
};

// The reasons as one message: "a; b".
inline std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace baton
