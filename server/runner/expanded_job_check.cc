#include "server/runner/expanded_job_check.h"

#include "storage/job_spec.h"

namespace baton {

bool ExpansionChangedSpec(const JobSpec& stored, const JobSpec& expanded) {
  auto verify_argv = [](const JobSpec& s) {
    return s.verify ? s.verify->command : std::vector<std::string>{};
  };
  return stored.command != expanded.command || stored.env != expanded.env ||
         stored.stdin_data != expanded.stdin_data || verify_argv(stored) != verify_argv(expanded);
}

std::string DenialOfExpandedJob(JobChecker& checker, const Job& job, const JobSpec& expanded,
                                int attempt) {
  JobCheck check;
  check.origin = "expansion";
  check.spec = JobSpecToJson(expanded);
  check.on_behalf_of = job.origin;  // whoever enqueued or chained it
  check.transport = "runner";
  // What the placeholders were: a policy may compare, or deny any placeholder in argv[0].
  check.source = {{"job", job.id},
                  {"attempt", attempt},
                  {"unexpanded_command", job.spec.command}};
  check.chain_depth = job.chain_step;
  if (!job.spec.depends_on.empty()) check.chain_parent = job.spec.depends_on.front().job_id;
  std::vector<std::string> reasons = checker.CheckJob(check);
  return reasons.empty() ? "" : "policy denied the expanded command: " + JoinReasons(reasons);
}

}  // namespace baton
