// storage/job_lifecycle.h
//
// The one table of legal job state transitions (docs/design.md §4). Every state change in the
// store is checked against it inside the transaction that makes it; an illegal one is a bug and
// fails with FailedPrecondition instead of corrupting the job.
#pragma once

#include "storage/job.h"

namespace baton {

bool CanTransition(JobState from, JobState to);

}  // namespace baton
