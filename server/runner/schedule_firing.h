// server/runner/schedule_firing.h
//
// Firing cron schedules: for each schedule whose next run has come, decide which runs are on
// time and which were missed (no runner was alive within kScheduleMissedAfterSeconds of them),
// apply the catch-up policy (skip, or run_once: one job for all missed runs) and record it all
// through JobStore::FireSchedule in one transaction. Called by the runner; pure decision logic
// (DecideFiring) is separate so tests drive it with any clock.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "server/jobs/cron.h"
#include "storage/job_store.h"

namespace baton {

// What to do with `s` at `now_ms`. `missed_after_ms`: how late a run may fire and still count as
// on time. The runs between s.next_run_ms and now_ms are counted (at most 100000; beyond that
// the count is a lower bound).
ScheduleFiring DecideFiring(const Schedule& s, const CronExpr& cron, int64_t now_ms,
                            int64_t missed_after_ms);

// Fires every due schedule; returns how many jobs were created. A schedule whose cron or zone no
// longer parses is logged and pushed a day ahead.
Result<int> FireDueSchedules(JobStore& store, int64_t now_ms);

}  // namespace baton
