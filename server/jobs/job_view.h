// server/jobs/job_view.h
//
// The compact JSON picture of a job that agents and the CLI see (Claude Code shows the model the
// structured JSON as is, so it carries what an agent needs to decide and nothing more). Times
// are RFC 3339 UTC; absent facts are left out rather than null.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "storage/job.h"
#include "storage/schedule.h"

namespace baton {

struct JobViewOptions {
  bool output = true;  // include stdout_tail / stderr_tail
  size_t tail_bytes = 2000;
};

nlohmann::json JobView(const Job& job, const std::optional<Attempt>& latest_attempt,
                       const JobViewOptions& options = {});

// The JSON Schema of JobView (for outputSchema).
const nlohmann::json& JobViewSchema();

// One compact row of a job listing (the `jobs` tool): id, state, queue, a shortened command,
// attempt, times, and the error cut to 200 bytes. No output tails.
nlohmann::json JobRow(const Job& job);
const nlohmann::json& JobRowSchema();

// Every attempt of a job, oldest first: number, outcome, exit code or signal, times, error.
nlohmann::json AttemptsView(const std::vector<Attempt>& attempts);

// A schedule as agents see it (the `schedule` tool).
nlohmann::json ScheduleView(const Schedule& s);

}  // namespace baton
