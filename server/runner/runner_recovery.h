// server/runner/runner_recovery.h
//
// Finding the processes of jobs whose runner died. The attempts table records each job's pid and
// start time, but a runner can die between starting a process and recording it, and a job may
// have moved grandchildren to other process groups. Every job process carries BATON_DB and
// BATON_RUNNER in its environment (inherited by its descendants), so a new runner recognises
// the strays of its database by reading /proc/<pid>/environ (same user only).
#pragma once

#include <cstdint>
#include <string>

namespace baton {

// SIGKILLs every process (and the process group it leads) whose environment has BATON_DB=`db`
// and a BATON_RUNNER other than `live_runner_id`, and returns once none of them is alive (at
// most about a second). Returns how many processes the first scan found.
int KillStrayJobProcesses(const std::string& db, const std::string& live_runner_id);

// SIGKILLs every process of job `job_id` started by runner `runner_id` (BATON_JOB_ID), also those
// that left the job's process group (setsid), and returns once none is alive. For timeouts and
// cancellations: killing the group alone misses such escapees.
int KillJobProcesses(const std::string& db, const std::string& runner_id, int64_t job_id);

}  // namespace baton
