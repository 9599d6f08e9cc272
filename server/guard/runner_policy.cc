#include "server/guard/runner_policy.h"

namespace baton {

Result<RunnerPolicy> OpenRunnerPolicy(JobStore& store, const std::string& db_path,
                                      PolicyOptions options) {
  RunnerPolicy p;
  BATON_ASSIGN_OR_RETURN(p.log, DecisionLog::Open(db_path));
  options.start_denying_when_broken = true;
  BATON_ASSIGN_OR_RETURN(p.guard,
                         PolicyGuard::Create(store, *p.log, SystemClock::Instance(), options));
  return p;
}

}  // namespace baton
