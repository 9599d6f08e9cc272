// server/jobs/job_view.h
//
// The JSON pictures of a job that agents and the CLI see. Claude Code shows the model the
// structured JSON as is, and every byte stays in its context: the lean view (the default) carries
// what an agent acts on (id, state, a non-zero exit code, the error when it says more than the
// exit code, attempts when retries are on, the next run, duration, the output tail); the verbose
// view adds the spec's command and queue, times, pid, chain and labels. Times are RFC 3339 UTC;
// absent facts are left out rather than null.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "storage/job.h"
#include "storage/schedule.h"

namespace baton {

inline constexpr size_t kDefaultTailBytes = 1000;

struct JobViewOptions {
  bool output = true;  // include stdout_tail / stderr_tail
  size_t tail_bytes = kDefaultTailBytes;
  bool verbose = false;
};

// The end of an output stream in at most `max_bytes`, starting at a line (a partial first line is
// dropped unless it is all there is; then the cut is at a UTF-8 character boundary).
std::string OutputTail(const std::string& output, size_t max_bytes);

nlohmann::json JobView(const Job& job, const std::optional<Attempt>& latest_attempt,
                       const JobViewOptions& options = {});

// The JSON Schema of JobView, lean or verbose (for outputSchema).
const nlohmann::json& JobViewSchema();

// One row of a job listing (the `jobs` tool), no output tails. Compact: id, state, the name or a
// shortened command, a non-zero exit code, a queue other than the default. Verbose: also queue,
// attempt, times, labels and the error cut to 200 bytes.
nlohmann::json JobRow(const Job& job, bool verbose = false);
const nlohmann::json& JobRowSchema();

// Every attempt of a job, oldest first: number, outcome, exit code or signal, times, error.
nlohmann::json AttemptsView(const std::vector<Attempt>& attempts);

// A schedule as agents see it (the `schedule` tool).
nlohmann::json ScheduleView(const Schedule& s);

}  // namespace baton
