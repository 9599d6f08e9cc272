// server/guard/runner_policy.h
//
// The policy check a runner applies to the jobs it creates itself (schedule firings, saga
// compensations), built from the same options as the front-ends' (`--policy`, `--policy-data`,
// `--policy-query`, `--opa-url`) and logging to the same decision log. A policy that does not
// compile when the runner starts does not stop it — jobs already admitted run — but every job the
// runner creates is denied until a policy that compiles is loaded (fail closed).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "server/guard/policy_guard.h"
#include "storage/decision_log.h"
#include "storage/job_store.h"

namespace baton {

struct RunnerPolicy {
  std::unique_ptr<DecisionLog> log;
  std::unique_ptr<PolicyGuard> guard;
};

Result<RunnerPolicy> OpenRunnerPolicy(JobStore& store, const std::string& db_path,
                                      PolicyOptions options);

}  // namespace baton
