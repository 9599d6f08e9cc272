// server/runner/runner_created_job_check.h
//
// The policy check of the jobs the runner creates itself — schedule firings and saga
// compensations, labelled `baton.origin` — before their first attempt (server/jobs/job_check.h).
#pragma once

#include <string>

#include "server/jobs/job_check.h"
#include "storage/job_store.h"

namespace baton {

// "Denied by policy: <reasons>" when `checker` refuses `job` at the start of `attempt`; "" when it
// allows it, or when the job is not one the runner created, or when this is not the first attempt
// since the job was (re)queued: automatic retries run a spec already allowed.
std::string DenialOfRunnerCreatedJob(JobStore& store, JobChecker& checker, const Job& job,
                                     int attempt);

}  // namespace baton
