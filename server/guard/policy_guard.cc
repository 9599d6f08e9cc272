#include "server/guard/policy_guard.h"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "server/guard/policy_files.h"
#include "server/guard/native_policy_backend.h"
#include "server/guard/opa_policy_backend.h"

namespace baton {

using nlohmann::json;

namespace {

// input.stats.enqueues_last_minute counts up to this (docs/policy.md).
constexpr int64_t kEnqueueCountCap = 200;
constexpr size_t kMaxRememberedSessions = 4096;

// The user this process runs as: the principal of stdio and CLI calls.
const std::string& ProcessUser() {
  static const std::string user = [] {
    if (passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return std::string(pw->pw_name);
    return "uid:" + std::to_string(getuid());
  }();
  return user;
}

// input.job: the job a call acts on, so that policies can compare owners.
json JobSummary(const Job& job) {
  return {{"id", job.id},
          {"state", ToString(job.state)},
          {"queue", job.spec.queue},
          {"principal", job.origin.principal},
          {"session", job.origin.session},
          {"command", job.spec.command}};
}

}  // namespace

PolicyGuard::PolicyGuard(JobStore& store, DecisionLog& log, const Clock& clock,
                         std::unique_ptr<PolicyBackend> backend,
                         std::vector<std::string> mask_paths)
    : store_(store), log_(log), clock_(clock), backend_(std::move(backend)),
      recorder_(log, clock, std::move(mask_paths)) {}

Result<std::unique_ptr<PolicyGuard>> PolicyGuard::Create(JobStore& store, DecisionLog& log,
                                                         const Clock& clock,
                                                         PolicyOptions options) {
  json data = json::object();
  if (!options.data_file.empty()) {
    BATON_ASSIGN_OR_RETURN(data, ReadJsonFile(options.data_file));
  }
  if (!options.opa_url.empty()) {
    return std::unique_ptr<PolicyGuard>(new PolicyGuard(
        store, log, clock,
        std::make_unique<OpaPolicyBackend>(options.opa_url, options.opa_timeout_ms),
        options.mask_paths));
  }
  BATON_ASSIGN_OR_RETURN(auto native,
                         NativePolicyBackend::Create(options.policy_dir, std::move(data),
                                                     options.query_path,
                                                     options.start_denying_when_broken));
  NativePolicyBackend* n = native.get();
  std::unique_ptr<PolicyGuard> g(
      new PolicyGuard(store, log, clock, std::move(native), options.mask_paths));
  g->native_ = n;
  if (!options.policy_dir.empty())
    g->reloader_ = std::make_shared<PolicyReloader>(options.policy_dir, [n] { (void)n->Reload(); });
  return g;
}

PolicyGuard::~PolicyGuard() {
  if (reloader_) reloader_->Shutdown();  // it reloads the backend
}

Status PolicyGuard::Reload() { return native_ ? native_->Reload() : Status::OK(); }

json PolicyGuard::EnqueueStats(const std::string& principal) {
  auto n = log_.CountEnqueues(principal, clock_.NowMs() - 60000, kEnqueueCountCap);
  return {{"enqueues_last_minute", n.ok() ? *n : 0}};
}

json PolicyGuard::BuildInput(const CallFacts& f) {
  json input = {{"method", f.method},
                {"session", f.session.id},
                {"transport", f.session.transport},
                {"protocol_version", f.protocol_version},
                {"now_ns", clock_.NowNs()}};
  const bool local = f.session.transport == "stdio" || f.session.principal.empty();
  input["principal"] = {{"id", f.session.principal.empty() ? "anonymous" : f.session.principal},
                        {"kind", local ? "local" : "token"}};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_transports_.size() >= kMaxRememberedSessions) session_transports_.clear();
    session_transports_[f.session.id] = f.session.transport;
  }
  json sent = f.arguments && !f.arguments->is_null() ? *f.arguments : json::object();
  if (!f.tool) {
    input["params"] = sent;
    return input;
  }
  input["tool"] = *f.tool;
  json chain = {{"depth", 0}, {"parent", nullptr}};
  if (const ToolRequest* r = f.request) {
    // What the tool parsed, and will run: the policy judges exactly that.
    input["arguments"] = r->arguments;
    chain = {{"depth", r->chain_depth},
             {"parent", r->chain_parent ? json(*r->chain_parent) : json()}};
    if (r->origin) input["origin"] = *r->origin;
    if (!r->template_use.is_null()) input["template"] = r->template_use;
    if (r->target_job)
      if (auto job = store_.Get(*r->target_job); job.ok()) input["job"] = JobSummary(*job);
  } else {
    input["arguments"] = std::move(sent);  // not parsed: as sent
  }
  input["chain"] = chain;
  // Rate facts for tool calls only (pings and listings need none); capped, see docs/policy.md.
  input["stats"] = EnqueueStats(f.session.principal);
  return input;
}

GuardVerdict PolicyGuard::Decide(const DecisionSubject& who, const json& input) {
  int64_t start = clock_.NowNs();
  PolicyAnswer a = backend_->Decide(input);
  DecisionFacts d{a.allow, a.reasons, (clock_.NowNs() - start) / 1000, backend_->name(),
                  a.decision_id};
  if (Status s = recorder_.Record(who, input, d); !s.ok())
    return {false, DecisionRecorder::UnrecordedReasons(s)};
  return {a.allow, std::move(a.reasons), std::move(a.hints)};
}

GuardVerdict PolicyGuard::Check(const CallFacts& facts) {
  json input = BuildInput(facts);
  DecisionSubject who{facts.session.principal, facts.session.id, facts.method,
                      facts.tool ? *facts.tool : ""};
  if (!facts.invalid) return Decide(who, input);
  // Arguments that do not parse create nothing and act on nothing: the tool's error ("params.x
  // is required …") is what the agent needs, not a denial of a request that does not exist.
  DecisionFacts d{true, {"not evaluated: " + facts.invalid->message()}, 0,
                  "none: invalid arguments", ""};
  if (Status s = recorder_.Record(who, input, d); !s.ok())
    return {false, DecisionRecorder::UnrecordedReasons(s)};
  return {};
}

json PolicyGuard::Principal(const std::string& principal, const std::string& session) {
  // The kind follows the session that created the job when this process saw it (chain steps,
  // retries); jobs the runner creates belong to the local user when the name is the user's.
  std::string transport;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = session_transports_.find(session);
    if (it != session_transports_.end()) transport = it->second;
  }
  bool local = principal.empty() || transport == "stdio" ||
               (transport.empty() && principal == ProcessUser());
  return {{"id", principal.empty() ? "anonymous" : principal}, {"kind", local ? "local" : "token"}};
}

json PolicyGuard::BuildJobInput(const JobCheck& c) {
  json spec = c.spec;
  if (spec.is_object()) spec.erase("run_at");  // absolute times of stored specs mean nothing here
  std::string transport = c.transport;
  if (transport.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = session_transports_.find(c.on_behalf_of.session);
    transport = it != session_transports_.end() ? it->second : "cli";
  }
  json input = {{"method", "tools/call"},
                {"tool", "enqueue"},
                {"origin", c.origin},
                {"source", c.source},
                {"arguments", spec},
                {"principal", Principal(c.on_behalf_of.principal, c.on_behalf_of.session)},
                {"session", c.on_behalf_of.session},
                {"transport", transport},
                {"chain", {{"depth", c.chain_depth},
                           {"parent", c.chain_parent ? json(*c.chain_parent) : json()}}},
                {"now_ns", clock_.NowNs()}};
  if (spec.is_object() && spec.contains("labels") && spec["labels"].contains("baton.template"))
    input["template"] = {{"name", spec["labels"]["baton.template"]}};
  if (c.job) input["job"] = JobSummary(*c.job);
  input["stats"] = EnqueueStats(c.on_behalf_of.principal);
  return input;
}

std::vector<std::string> PolicyGuard::CheckJob(const JobCheck& check) {
  json input = BuildJobInput(check);
  GuardVerdict v = Decide(
      {check.on_behalf_of.principal, check.on_behalf_of.session, "tools/call", "enqueue"}, input);
  if (v.allow) return {};
  if (v.reasons.empty()) v.reasons.push_back("denied");
  return v.reasons;
}

}  // namespace baton
