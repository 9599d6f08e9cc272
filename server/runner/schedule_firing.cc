#include "server/runner/schedule_firing.h"

#include <spdlog/spdlog.h>

namespace baton {

namespace {
constexpr int64_t kNever = INT64_MAX / 4;
constexpr int kMaxCountedRuns = 100000;
}  // namespace

ScheduleFiring DecideFiring(const Schedule& s, const CronExpr& cron, int64_t now_ms,
                            int64_t missed_after_ms) {
  ScheduleFiring f;
  f.schedule_id = s.id;
  f.expected_next_run_ms = s.next_run_ms;
  std::optional<int64_t> on_time;
  int64_t t = s.next_run_ms;
  int counted = 0;
  while (t <= now_ms) {
    if (++counted > kMaxCountedRuns) {  // give up counting; resume from now
      auto next = cron.Next(now_ms, s.tz);
      t = next.ok() ? *next : kNever;
      break;
    }
    if (now_ms - t <= missed_after_ms) {
      on_time = t;
    } else {
      if (f.missed == 0) f.first_missed_ms = t;
      f.last_missed_ms = t;
      ++f.missed;
    }
    auto next = cron.Next(t, s.tz);
    t = next.ok() ? *next : kNever;
  }
  f.next_run_ms = t;
  if (on_time) {
    f.enqueue = true;
    f.run_time_ms = *on_time;
  } else if (f.missed > 0 && s.catch_up == CatchUp::kRunOnce) {
    f.enqueue = true;
    f.run_time_ms = f.last_missed_ms;
  }
  return f;
}

Result<int> FireDueSchedules(JobStore& store, int64_t now_ms) {
  BATON_ASSIGN_OR_RETURN(std::vector<Schedule> due, store.DueSchedules(now_ms));
  int created = 0;
  for (const Schedule& s : due) {
    auto cron = CronExpr::Parse(s.cron);
    ScheduleFiring f;
    if (!cron.ok() || !ValidateTimeZone(s.tz).ok()) {
      spdlog::error("schedule {}: cannot fire ({}); retrying in a day", s.name,
                    cron.ok() ? "unknown time zone " + s.tz : cron.status().message());
      f.schedule_id = s.id;
      f.expected_next_run_ms = s.next_run_ms;
      f.next_run_ms = now_ms + 24 * 3600 * 1000LL;
    } else {
      f = DecideFiring(s, *cron, now_ms,
                       static_cast<int64_t>(kScheduleMissedAfterSeconds * 1000));
    }
    auto job = store.FireSchedule(f, now_ms);
    if (!job.ok()) {
      if (job.status().code() != StatusCode::kFailedPrecondition) return job.status();
      continue;  // changed meanwhile: the next pass sees the new state
    }
    if (f.missed > 0)
      spdlog::warn("schedule {}: {} run(s) missed while no runner was alive ({})", s.name,
                   f.missed, f.enqueue ? "running once now" : "skipped");
    if (*job) {
      ++created;
      spdlog::info("schedule {}: enqueued job {}", s.name, **job);
    }
  }
  return created;
}

}  // namespace baton
