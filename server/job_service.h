// server/job_service.h
//
// The operations agents and people perform on jobs, whatever the front door (MCP tools, CLI):
// validate and enqueue, chain, look up, wait for, cancel. It writes through the JobStore, wakes
// the runner (starting one if needed) and waits event-driven through the JobWatcher.
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "server/job_watcher.h"
#include "server/runner_control.h"
#include "storage/job_store.h"

namespace baton {

struct ServiceOptions {
  std::string base_cwd;              // relative and default cwd of jobs
  int64_t max_wait_ms = 120000;      // the longest inline wait a caller may ask for
  int64_t progress_interval_ms = 5000;
};

class JobService {
 public:
  JobService(JobStore& store, RunnerControl& runner, JobWatcher& watcher, const Clock& clock,
             ServiceOptions options);

  // `spec` is a job spec as agents send it (storage/job_spec.h); InvalidArgument names the field.
  Result<EnqueueOutcome> Enqueue(const nlohmann::json& spec, const Origin& origin);
  // Steps run one after another, each only if the previous succeeded; the first after `after`
  // (if given) on `after_condition`. All jobs are created in one transaction.
  Result<std::vector<EnqueueOutcome>> Chain(const nlohmann::json& steps, std::optional<JobId> after,
                                            DepCondition after_condition, const Origin& origin);
  Result<Job> Get(JobId id);
  Result<std::vector<Attempt>> Attempts(JobId id);
  Result<std::vector<Job>> List(const JobFilter& filter);
  // Returns when every job is terminal, `timeout_ms` passes or `cancelled` becomes true, with
  // the jobs as they are then. `on_progress` is called at least every progress interval.
  Result<std::vector<Job>> Wait(const std::vector<JobId>& ids, int64_t timeout_ms,
                                const std::function<void(const std::vector<Job>&)>& on_progress,
                                const std::atomic<bool>* cancelled);
  Result<CancelOutcome> Cancel(JobId id, bool cascade, const std::string& reason);

  const ServiceOptions& options() const { return options_; }

 private:
  Result<JobSpec> Parse(const nlohmann::json& spec, const std::string& where, bool in_chain,
                        bool chain_predecessor);
  void WakeRunner();

  JobStore& store_;
  RunnerControl& runner_;
  JobWatcher& watcher_;
  const Clock& clock_;
  ServiceOptions options_;
};

}  // namespace baton
