// server/runner/expanded_job_check.h
//
// The policy check of a job as it will really run. `{{prev.stdout}}`, `{{steps.NAME.*}}` and the
// other run-time placeholders (server/jobs/placeholders.h) are expanded by the runner just before it
// spawns the job, after every other check judged the unexpanded spec: without a second look, a
// chain `[echo -rf] → [rm {{prev.stdout}} DIR]` ran `rm -rf DIR` under a policy that forbids it.
// So the runner asks the policy again about the expanded spec, with the input a direct `enqueue`
// of it would have and `origin` "expansion" (docs/policy.md, "Jobs created indirectly").
#pragma once

#include <string>

#include "server/jobs/job_check.h"
#include "storage/job.h"

namespace baton {

// True when expanding placeholders changed what would run: argv, an env value, stdin or the
// verifier's argv.
bool ExpansionChangedSpec(const JobSpec& stored, const JobSpec& expanded);

// "policy denied the expanded command: <reasons>" when `checker` refuses `expanded` (the spec of
// `job` with its placeholders replaced) at the start of `attempt`; "" when it allows it. Every
// check is a decision of its own in the decision log.
std::string DenialOfExpandedJob(JobChecker& checker, const Job& job, const JobSpec& expanded,
                                int attempt);

}  // namespace baton
