// server/policy_guard.h
//
// The policy check every request passes (a RequestGuard for the MCP session). It builds the input
// document (docs/policy.md) from the request and from facts the server computes — the principal,
// the session and transport, a summary of the target job for status/cancel/retry, the chain depth
// and parent, recent enqueue counts, now_ns — so that policies stay pure; asks the native Rego
// evaluator (or a real OPA server over its REST data API); logs every decision; and fails closed:
// an evaluation error, an undefined decision, a policy that does not compile or a backend that
// does not answer in time is a denial with a reason that says so.
//
// The policy directory is watched (inotify): a new set that compiles replaces the old one at
// once; one that fails to compile is refused, the old one stays, and the failure is logged loudly.
// Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "server/mcp_session.h"
#include "storage/decision_log.h"
#include "storage/job_store.h"

namespace baton {
namespace policy {
class CompiledPolicy;
}

struct PolicyOptions {
  std::string policy_dir;   // *.rego files; empty: the built-in policy that allows everything
  std::string data_file;    // JSON for `data` (e.g. {"baton": {"config": {...}}}); optional
  std::string query_path = "data.baton";
  std::string opa_url;      // e.g. http://127.0.0.1:8181/v1/data/baton: delegate to OPA
  int opa_timeout_ms = 2000;
  // Input paths replaced by "<masked>" in the decision log, e.g. "arguments.env", "arguments.stdin".
  std::vector<std::string> mask_paths = {"arguments.env", "arguments.stdin"};
};

class PolicyGuard final : public RequestGuard {
 public:
  // Compiles the policy (InvalidArgument with file:line:col when it does not) and starts watching.
  static Result<std::unique_ptr<PolicyGuard>> Create(JobStore& store, DecisionLog& log,
                                                     const Clock& clock, PolicyOptions options);
  ~PolicyGuard() override;

  GuardVerdict Check(const CallFacts& facts) override;
  // The input document the policy sees for `facts` (exposed for `baton policy` and tests).
  nlohmann::json BuildInput(const CallFacts& facts);
  // Recompiles the directory now; on failure the current policy stays.
  Status Reload();

 private:
  PolicyGuard(JobStore& store, DecisionLog& log, const Clock& clock, PolicyOptions options);
  GuardVerdict AskNative(const nlohmann::json& input);
  GuardVerdict AskOpa(const nlohmann::json& input, std::string* decision_id);
  void Watch();
  void LogDecision(const CallFacts& facts, const nlohmann::json& input, const GuardVerdict& v,
                   int64_t eval_us, const std::string& backend, const std::string& backend_id);

  JobStore& store_;
  DecisionLog& log_;
  const Clock& clock_;
  PolicyOptions options_;
  nlohmann::json data_;
  std::mutex mu_;
  std::shared_ptr<const policy::CompiledPolicy> policy_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread watcher_;
};

}  // namespace baton
