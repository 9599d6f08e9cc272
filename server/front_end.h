// server/front_end.h
//
// What every process that serves or inspects jobs (serve --stdio, serve --http, the CLI)
// assembles over one database: the store, the runner control, the job watcher, the job service,
// the decision log and the policy guard. Owns them all; destroyed in reverse order of construction. Thread-safe as its parts.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "server/jobs/job_feed.h"
#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/guard/policy_guard.h"
#include "server/jobs/runner_control.h"
#include "server/jobs/runner_supervisor.h"
#include "server/jobs/state_paths.h"
#include "storage/decision_log.h"
#include "storage/job_store.h"

namespace baton {

struct FrontEndOptions {
  std::string db_path;                   // empty: DefaultDbPath()
  std::string cwd;                       // default cwd of jobs; empty: this process's
  std::vector<std::string> runner_args;  // extra flags for a runner started on demand
  bool spawn_runner = true;              // false: a runner is hosted in this process
  // With spawn_runner: how often a dead runner is looked for (server/jobs/runner_supervisor.h).
  int64_t supervise_period_ms = RunnerSupervisor::kDefaultPeriodMs;
  // How long an idempotency key stays taken; unset: $BATON_IDEMPOTENCY_WINDOW (seconds), else
  // kDefaultIdempotencyWindowSeconds (storage/job_options.h).
  std::optional<int64_t> idempotency_window_ms;
  PolicyOptions policy;  // the check every request passes
  // Job templates from the config file (server/config_file.h); not owned, must outlive the
  // front-end; null: none.
  const TemplateCatalog* templates = nullptr;
  bool synchronous_full = false;  // SQLite synchronous=FULL (docs/guarantees.md)
  // Status waits (ServiceOptions); unset: the defaults there.
  std::optional<int64_t> max_wait_ms;
  std::optional<int64_t> progress_interval_ms;
};

class FrontEnd {
 public:
  static Result<std::unique_ptr<FrontEnd>> Open(const FrontEndOptions& options);
  ~FrontEnd();

  JobStore& store() { return *store_; }
  JobService& jobs() { return *service_; }
  JobWatcher& watcher() { return *watcher_; }
  RunnerControl& runner() { return *control_; }
  // The front-end's one reader of job events (server/jobs/job_feed.h), started on first use (serving
  // processes; the CLI never starts it).
  Result<JobFeed*> feed();
  // The policy check for MCP sessions (McpServer::SetGuard).
  PolicyGuard& guard() { return *guard_; }
  const StatePaths& paths() const { return paths_; }

 private:
  FrontEnd() = default;
  StatePaths paths_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<RunnerControl> control_;
  std::unique_ptr<JobWatcher> watcher_;
  std::mutex feed_mu_;
  std::unique_ptr<JobFeed> feed_;
  std::unique_ptr<JobService> service_;
  std::unique_ptr<DecisionLog> decisions_;
  std::unique_ptr<PolicyGuard> guard_;
  std::unique_ptr<RunnerSupervisor> supervisor_;  // with spawn_runner; stopped first
};

// The path of the running baton executable.
std::string SelfExecutable();
// The local user's name (the principal of stdio and CLI calls).
std::string LocalUser();

}  // namespace baton
