#include "server/runner/retention.h"

#include <filesystem>

namespace baton {

Result<RetentionReport> PruneFinished(JobStore& store, const std::string& logs_dir,
                                      int64_t now_ms, int64_t max_age_ms) {
  RetentionReport report;
  if (max_age_ms <= 0) return report;
  // MCP tasks live for their ttl only (at most days): expired ones go whatever the job age.
  BATON_ASSIGN_OR_RETURN(report.tasks, store.PruneExpiredTasks(now_ms));
  constexpr int kBatch = 500;  // short transactions: front-ends keep writing meanwhile
  while (true) {
    BATON_ASSIGN_OR_RETURN(PruneResult r, store.Prune(now_ms - max_age_ms, kBatch));
    report.jobs += static_cast<int64_t>(r.jobs.size());
    report.events += r.events;
    for (JobId id : r.jobs) {
      std::error_code ec;
      if (std::filesystem::remove_all(logs_dir + "/" + std::to_string(id), ec) > 0)
        ++report.log_dirs;
    }
    if (r.jobs.size() < static_cast<size_t>(kBatch)) break;
  }
  return report;
}

}  // namespace baton
