// server/jobs/job_service.h
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
#include "server/jobs/job_check.h"
#include "server/jobs/job_templates.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/runner_control.h"
#include "storage/job_store.h"

namespace baton {

// The runner of the database as a front-end sees it (runners table + /proc).
struct RunnerHealth {
  std::optional<RunnerInfo> runner;  // none: no runner ever served this database
  bool alive = false;                // its pid exists on this host
  int64_t heartbeat_age_ms = 0;
  // Alive (or unknown) but silent for more than kRunnerStaleSeconds: hung. Jobs are not being
  // started or supervised; baton reports it and does not kill the runner (see docs/guarantees.md).
  bool stale = false;
};

struct ServiceOptions {
  std::string base_cwd;              // relative and default cwd of jobs
  // The longest inline wait a caller may ask for: under Claude Code's 120 s, after which an
  // interactive session moves the call to the background (issue 9).
  int64_t max_wait_ms = 110000;
  int64_t progress_interval_ms = 5000;  // at most 10 s (Claude Code's idle watchdog resets on it)
  // Operator-defined templates ({"template": NAME, "params": {...}} instead of a command); not
  // owned; null: none.
  const TemplateCatalog* templates = nullptr;
};

// A job spec parsed once, for one call: what is stored, and what the policy judges.
struct ParsedJobSpec {
  JobSpec spec;
  // The normalized spec the policy sees (docs/policy.md): JobSpecToJson(spec), with
  // delay_seconds and run_at as requested (the absolute time a delay became means nothing there).
  nlohmann::json normalized;
  std::optional<ExpandedTemplate> from_template;  // set when it was a template request
};

// A chain's steps, parsed once (JobService::ParseChain).
struct ParsedChain {
  std::vector<ParsedJobSpec> steps;
  std::optional<JobId> after;
  DepCondition after_condition = DepCondition::kSuccess;
};

// A schedule to create, parsed once (JobService::ParseSchedule).
struct ParsedSchedule {
  std::string name, cron, tz;
  CatchUp catch_up = CatchUp::kSkip;
  ParsedJobSpec spec;
};

class JobService {
 public:
  JobService(JobStore& store, RunnerControl& runner, JobWatcher& watcher, const Clock& clock,
             ServiceOptions options);

  // Parses a job spec as agents send it (storage/job_spec.h) for enqueue; a template request is
  // expanded here, once. InvalidArgument names the field. Reads no job.
  Result<ParsedJobSpec> ParseEnqueue(const nlohmann::json& spec) const;
  // Parses chain steps (each a job spec, `steps[i].` in errors; unique names); `after` is the
  // job the first step follows, if any.
  Result<ParsedChain> ParseChain(const nlohmann::json& steps, std::optional<JobId> after,
                                 DepCondition after_condition) const;
  // Parses a schedule: name, cron, tz and a job spec without run_at, delay_seconds, depends_on,
  // idempotency_key or on_failure. InvalidArgument names the bad field (cron, tz, spec).
  Result<ParsedSchedule> ParseSchedule(const std::string& name, const std::string& cron,
                                       const std::string& tz, CatchUp catch_up,
                                       const nlohmann::json& spec) const;

  Result<EnqueueOutcome> Enqueue(const ParsedJobSpec& spec, const Origin& origin);
  // ParseEnqueue, then Enqueue.
  Result<EnqueueOutcome> Enqueue(const nlohmann::json& spec, const Origin& origin);
  // Steps run one after another, each only if the previous succeeded; the first after `after`
  // (if given) on `after_condition`. Each step is checked as a job (JobChecker) before any is
  // written; all jobs are created in one transaction.
  Result<std::vector<EnqueueOutcome>> Chain(const ParsedChain& chain, const Origin& origin);
  Result<Job> Get(JobId id);
  Result<std::vector<Attempt>> Attempts(JobId id);
  Result<std::vector<Job>> List(const JobFilter& filter);
  // Returns when every job is terminal, `timeout_ms` passes or `cancelled` becomes true, with
  // the jobs as they are then. `on_progress` is called at least every progress interval.
  Result<std::vector<Job>> Wait(const std::vector<JobId>& ids, int64_t timeout_ms,
                                const std::function<void(const std::vector<Job>&)>& on_progress,
                                const std::atomic<bool>* cancelled);
  Result<CancelOutcome> Cancel(JobId id, bool cascade, const std::string& reason);

  // Dead letters: re-queues a failed, dead, cancelled or skipped job with fresh attempts, keeping
  // its history (JobStore::Requeue), and wakes the runner.
  // The job's spec is checked by the policy first (JobChecker, origin "retry", on behalf of
  // `caller`): PermissionDenied when it is no longer allowed.
  Result<Job> Retry(JobId id, const std::string& reason, const Origin& caller = {});

  // Schedules.
  Result<Schedule> CreateSchedule(const ParsedSchedule& schedule, const Origin& origin);
  // ParseSchedule, then CreateSchedule.
  Result<Schedule> CreateSchedule(const std::string& name, const std::string& cron,
                                  const std::string& tz, CatchUp catch_up,
                                  const nlohmann::json& spec, const Origin& origin);
  Result<std::vector<Schedule>> ListSchedules();
  Status DeleteSchedule(const std::string& name);

  // Queues: counts and settings; pause/resume; a concurrency limit (nullopt removes it).
  Result<std::vector<QueueInfo>> ListQueues();
  Status SetQueuePaused(const std::string& queue, bool paused);
  Status SetQueueConcurrency(const std::string& queue, std::optional<int> limit);

  // The runner's health; logs an error when its heartbeat is stale.
  Result<RunnerHealth> CheckRunner();

  const ServiceOptions& options() const { return options_; }

  // The policy check of jobs created indirectly: each chain step, and the spec of a job being
  // retried, is checked as a job spec (server/jobs/job_check.h) before it is written; a denial is
  // PermissionDenied listing the reasons. Not owned; null: no check. Set once, before serving.
  void SetJobChecker(JobChecker* checker) { checker_ = checker; }

 private:
  Result<ParsedJobSpec> Parse(const nlohmann::json& spec, const std::string& where, bool in_chain,
                              bool chain_predecessor) const;
  void WakeRunner();
  static Status ValidateQueueName(const std::string& queue);
  static Status CheckExpandedSizes(const JobSpec& spec, const std::string& where);
  static Status ResolveIsolation(JobSpec& spec, const std::string& where);
  Status CheckJob(const JobCheck& check);

  JobStore& store_;
  RunnerControl& runner_;
  JobWatcher& watcher_;
  const Clock& clock_;
  ServiceOptions options_;
  JobChecker* checker_ = nullptr;
  std::atomic<int64_t> next_health_check_ms_{0};
};

}  // namespace baton
