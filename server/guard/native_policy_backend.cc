#include "server/guard/native_policy_backend.h"

#include <spdlog/spdlog.h>

#include "policy/policy.h"
#include "server/guard/policy_files.h"

namespace baton {

namespace {

// The policy used when none is configured: every request is allowed (and still logged).
constexpr const char* kAllowAllPolicy = R"(package baton

import rego.v1

default allow := true
)";

}  // namespace

std::vector<std::string> NativePolicyBackend::Hints(const policy::CompiledPolicy& p,
                                                    const nlohmann::json& input) const {
  std::vector<std::string> hints;
  auto hint = policy::EvalQuery(p, query_path_ + ".hint", input, data_);
  if (!hint.ok() || !*hint) return hints;  // optional: a broken hint never changes a decision
  const nlohmann::json& h = **hint;
  if (h.is_string()) hints.push_back(h.get<std::string>());
  if (h.is_array())
    for (const auto& m : h)
      if (m.is_string()) hints.push_back(m.get<std::string>());
  return hints;
}

NativePolicyBackend::NativePolicyBackend(std::string policy_dir, nlohmann::json data,
                                         std::string query_path)
    : policy_dir_(std::move(policy_dir)), data_(std::move(data)),
      query_path_(std::move(query_path)) {}

Result<std::unique_ptr<NativePolicyBackend>> NativePolicyBackend::Create(
    std::string policy_dir, nlohmann::json data, std::string query_path,
    bool start_denying_when_broken) {
  std::unique_ptr<NativePolicyBackend> b(
      new NativePolicyBackend(std::move(policy_dir), std::move(data), std::move(query_path)));
  if (b->policy_dir_.empty()) {
    BATON_ASSIGN_OR_RETURN(b->policy_,
                           policy::CompilePolicy({{"builtin-allow-all.rego", kAllowAllPolicy}}));
    return b;
  }
  if (Status loaded = b->Reload(); !loaded.ok() && !start_denying_when_broken) return loaded;
  return b;
}

Status NativePolicyBackend::Reload() {
  auto compiled = LoadPolicy(policy_dir_);
  if (!compiled.ok()) {
    spdlog::error("POLICY NOT RELOADED: {} — the previous policy stays in force",
                  compiled.status().message());
    return compiled.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  policy_ = std::move(compiled).value();
  spdlog::info("policy loaded from {}", policy_dir_);
  return Status::OK();
}

PolicyAnswer NativePolicyBackend::Decide(const nlohmann::json& input) {
  std::shared_ptr<const policy::CompiledPolicy> p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    p = policy_;
  }
  if (!p) return {false, {"no policy is loaded (fail closed)"}, ""};
  policy::Decision d = policy::Decide(*p, input, data_, query_path_);
  PolicyAnswer a;
  a.allow = d.allow && d.deny.empty();
  a.reasons = d.deny;
  for (const auto& e : d.errors) a.reasons.push_back("policy evaluation failed (deny): " + e);
  if (!a.allow && a.reasons.empty()) a.reasons.push_back(query_path_ + ".allow is not true");
  if (!a.allow) a.hints = Hints(*p, input);
  return a;
}

}  // namespace baton
