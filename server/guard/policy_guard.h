// server/guard/policy_guard.h
//
// The policy check every request passes (a RequestGuard for the MCP session). It builds the input
// document (docs/policy.md) from the request and from facts the server computes — the principal,
// the session and transport, a summary of the target job for status/cancel/retry, the chain depth
// and parent, recent enqueue counts, now_ns — so that policies stay pure; asks the native Rego
// evaluator (or a real OPA server over its REST data API); logs every decision; and fails closed:
// an evaluation error, an undefined decision, a policy that does not compile or a backend that
// does not answer in time is a denial with a reason that says so. A decision that cannot be
// written to the decision log (the database stays locked past its busy timeout) is a denial too:
// no call is served without its decision on record.
//
// The policy directory is watched (inotify): a new set that compiles replaces the old one at
// once; one that fails to compile is refused, the old one stays, and the failure is logged loudly.
// Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "server/jobs/job_check.h"
#include "server/jobs/job_templates.h"
#include "server/mcp/mcp_session.h"
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
  // When the policy does not compile at start: false = Create fails; true = start anyway and
  // deny every check until a policy that compiles is loaded (the runner: jobs already admitted
  // still run, jobs it creates are denied).
  bool start_denying_when_broken = false;
};

class PolicyGuard final : public RequestGuard, public JobChecker {
 public:
  // Compiles the policy (InvalidArgument with file:line:col when it does not) and starts watching.
  static Result<std::unique_ptr<PolicyGuard>> Create(JobStore& store, DecisionLog& log,
                                                     const Clock& clock, PolicyOptions options);
  ~PolicyGuard() override;

  GuardVerdict Check(const CallFacts& facts) override;
  // A job created indirectly, checked as if enqueued directly (server/jobs/job_check.h).
  std::vector<std::string> CheckJob(const JobCheck& check) override;
  // The input document the policy sees for `facts` (exposed for `baton policy` and tests).
  // Template requests are expanded; one that does not expand sets `template_error`.
  nlohmann::json BuildInput(const CallFacts& facts, std::string* template_error = nullptr);
  nlohmann::json BuildJobInput(const JobCheck& check);
  // Templates to expand in enqueue inputs (the policy sees the expanded spec). Not owned.
  void SetTemplates(const TemplateCatalog* templates) { templates_ = templates; }
  // Recompiles the directory now; on failure the current policy stays.
  Status Reload();

 private:
  PolicyGuard(JobStore& store, DecisionLog& log, const Clock& clock, PolicyOptions options);
  GuardVerdict Evaluate(const nlohmann::json& input, int64_t start_ns, int64_t* eval_us,
                        std::string* backend, std::string* backend_id);
  GuardVerdict AskNative(const nlohmann::json& input);
  GuardVerdict AskOpa(const nlohmann::json& input, std::string* decision_id);
  void Watch();
  struct DecisionSubject {
    std::string principal, session, method, tool;
  };
  // Records the decision; an error when it could not be (then the call must be refused: a
  // decision that is served is always in the log).
  Status LogDecision(const DecisionSubject& who, const nlohmann::json& input, const GuardVerdict& v,
                     int64_t eval_us, const std::string& backend, const std::string& backend_id);
  // The denial of a call whose decision could not be recorded.
  static GuardVerdict Unrecorded(const Status& why);
  nlohmann::json Principal(const std::string& principal, const std::string& session);

  JobStore& store_;
  DecisionLog& log_;
  const Clock& clock_;
  PolicyOptions options_;
  nlohmann::json data_;
  std::mutex mu_;
  std::shared_ptr<const policy::CompiledPolicy> policy_;
  const TemplateCatalog* templates_ = nullptr;
  // The transport of each session seen by Check(), for the jobs its calls create (bounded).
  std::map<std::string, std::string> session_transports_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread watcher_;
};

}  // namespace baton
