#include "server/runner/runner_created_job_check.h"

#include <cstdlib>

#include "base/parse_number.h"
#include "storage/job_spec.h"

namespace baton {

std::string DenialOfRunnerCreatedJob(JobStore& store, JobChecker& checker, const Job& job,
                                     int attempt) {
  auto origin = job.spec.labels.find("baton.origin");
  if (origin == job.spec.labels.end() || attempt != job.attempt_base + 1) return "";
  auto label = [&](const char* key) -> std::string {
    auto it = job.spec.labels.find(key);
    return it == job.spec.labels.end() ? "" : it->second;
  };
  JobCheck check;
  check.origin = origin->second;
  check.spec = JobSpecToJson(job.spec);
  check.on_behalf_of = job.origin;  // who created the schedule or the chain
  check.transport = "runner";
  check.source = {{"job", job.id}};
  if (check.origin == "schedule") {
    check.source["schedule"] = label("schedule");
  } else if (check.origin == "compensation") {
    // Labels baton wrote itself; an unreadable one becomes 0 (no such job) for the policy.
    auto id_label = [&](const char* key) -> JobId {
      auto id = ParseInt64(label(key), key, 1);
      return id.ok() ? *id : 0;
    };
    JobId failed = id_label("baton.failed_step");
    check.source["compensates"] = id_label("baton.compensates");
    check.source["failed_step"] = failed;
    check.chain_parent = failed;
    auto step = store.Get(failed);
    check.chain_depth = step.ok() ? step->chain_step + 1 : 1;
  }
  std::vector<std::string> reasons = checker.CheckJob(check);
  return reasons.empty() ? "" : "Denied by policy: " + JoinReasons(reasons);
}

}  // namespace baton
