// server/runner/retention.h
//
// Keeps the database and the log directory bounded: finished jobs older than a maximum age are
// deleted with their attempts, events and output files (logs/<job>/), and MCP tasks past their
// ttl with them. The runner calls
// PruneFinished at start and then every kRetentionIntervalSeconds.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "storage/job_store.h"

namespace baton {

struct RetentionReport {
  int64_t jobs = 0;
  int64_t events = 0;
  int64_t log_dirs = 0;
  int64_t tasks = 0;  // expired MCP tasks
};

// Prunes in batches until nothing older than now_ms - max_age_ms is left. max_age_ms <= 0 does
// nothing.
Result<RetentionReport> PruneFinished(JobStore& store, const std::string& logs_dir,
                                      int64_t now_ms, int64_t max_age_ms);

}  // namespace baton
