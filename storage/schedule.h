// storage/schedule.h
//
// A cron schedule as stored: a 5-field cron expression in a time zone, the job spec each run
// enqueues, and what to do about runs missed while no runner was alive (the catch-up policy).
// Plain value types; the cron arithmetic lives in server/jobs/cron.h, the firing in
// server/runner/schedule_firing.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/job.h"

namespace baton {

enum class CatchUp {
  kSkip,     // missed runs are recorded (a `missed` event) and not run
  kRunOnce,  // missed runs are recorded and one job runs now for all of them
};
const char* ToString(CatchUp c);
std::optional<CatchUp> CatchUpFromString(std::string_view s);

struct Schedule {
  int64_t id = 0;
  std::string name;       // unique; jobs it creates carry the label schedule=<name>
  std::string cron;       // "*/5 * * * *"
  std::string tz = "UTC"; // an IANA zone name ("Europe/Paris") or "UTC"
  std::string spec_json;  // the normalized job spec (storage/job_spec.h) each run enqueues
  CatchUp catch_up = CatchUp::kSkip;
  int64_t next_run_ms = 0;
  std::optional<int64_t> last_run_ms;
  std::optional<JobId> last_job_id;
  int64_t missed_runs = 0;  // in total
  std::optional<int64_t> last_missed_ms;
  int64_t created_ms = 0;
  Origin origin;
};

// What the scheduler decided for one due schedule (server/runner/schedule_firing.h decides).
struct ScheduleFiring {
  int64_t schedule_id = 0;
  int64_t expected_next_run_ms = 0;  // guards against a concurrent firing or edit
  int64_t next_run_ms = 0;           // the following run
  bool enqueue = false;              // create a job now
  int64_t run_time_ms = 0;           // the scheduled time the job stands for
  int64_t missed = 0;                // runs that were not run on time
  int64_t first_missed_ms = 0, last_missed_ms = 0;
};

}  // namespace baton
