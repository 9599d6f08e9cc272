// server/guard/policy_guard.h
//
// The policy check every request passes (a RequestGuard for the MCP session) and every job
// created indirectly (a JobChecker for the job service and the runner). It builds the input
// document (docs/policy.md) from the request — for a tool call, from the ToolRequest the tool
// parsed, so it knows nothing of argument shapes — and from facts the server computes: the
// principal, the session and transport, a summary of the target job, recent enqueue counts,
// now_ns; asks the policy backend (native Rego or OPA over REST); and records every decision
// (DecisionRecorder). It fails closed: a denial of the backend, or a decision that cannot be
// recorded, refuses the call. A tool call whose arguments did not parse is not evaluated (it
// creates nothing, acts on nothing, and the agent gets the tool's error); its decision is still
// recorded, with backend "none: invalid arguments".
//
// With a policy directory, the guard has a PolicyReloader for it, not yet started: its owner
// (a BackgroundHost part) starts and stops it. A new set that compiles replaces the old one at
// once; one that fails to compile is refused and the old one stays.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "server/guard/decision_recorder.h"
#include "server/guard/policy_backend.h"
#include "server/guard/policy_options.h"
#include "server/guard/policy_reloader.h"
#include "server/jobs/job_check.h"
#include "server/mcp/mcp_session.h"
#include "storage/decision_log.h"
#include "storage/job_store.h"

namespace baton {

class NativePolicyBackend;

class PolicyGuard final : public RequestGuard, public JobChecker {
 public:
  // Builds the backend the options name (InvalidArgument with file:line:col when a native policy
  // does not compile). Watching the policy directory starts with reloader()->Start().
  static Result<std::unique_ptr<PolicyGuard>> Create(JobStore& store, DecisionLog& log,
                                                     const Clock& clock, PolicyOptions options);
  ~PolicyGuard() override;

  GuardVerdict Check(const CallFacts& facts) override;
  // A job created indirectly, checked as if enqueued directly (server/jobs/job_check.h).
  std::vector<std::string> CheckJob(const JobCheck& check) override;
  // The input document the policy sees (exposed for tests).
  nlohmann::json BuildInput(const CallFacts& facts);
  nlohmann::json BuildJobInput(const JobCheck& check);
  // Recompiles the policy directory now (native backend); on failure the current policy stays.
  Status Reload();
  // The watcher of the policy directory, unstarted; null without one (OPA, no --policy). Shared
  // so that a host may keep it as a part past the guard: the guard's destructor shuts it down
  // (it reloads the guard's backend), and a second Shutdown is a no-op.
  std::shared_ptr<PolicyReloader> reloader() const { return reloader_; }

 private:
  PolicyGuard(JobStore& store, DecisionLog& log, const Clock& clock,
              std::unique_ptr<PolicyBackend> backend, std::vector<std::string> mask_paths);
  // Asks the backend and records the decision; a decision not recorded is a denial.
  GuardVerdict Decide(const DecisionSubject& who, const nlohmann::json& input);
  nlohmann::json Principal(const std::string& principal, const std::string& session);
  nlohmann::json EnqueueStats(const std::string& principal);

  JobStore& store_;
  DecisionLog& log_;
  const Clock& clock_;
  std::unique_ptr<PolicyBackend> backend_;
  NativePolicyBackend* native_ = nullptr;  // backend_, when it is the native one
  DecisionRecorder recorder_;
  std::shared_ptr<PolicyReloader> reloader_;
  std::mutex mu_;
  // The transport of each session seen by Check(), for the jobs its calls create (bounded).
  std::map<std::string, std::string> session_transports_;
};

}  // namespace baton
