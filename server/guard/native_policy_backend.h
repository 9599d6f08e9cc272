// server/guard/native_policy_backend.h
//
// The policy backend that evaluates Rego in-process (policy/, the pure evaluator) against the
// compiled *.rego files of a directory, or the built-in policy that allows everything. Reload()
// swaps in a new set that compiles; one that does not is refused and the old one stays (logged
// loudly). Thread-safe: a decision uses the set in force when it started.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "server/guard/policy_backend.h"

namespace baton {
namespace policy {
class CompiledPolicy;
}

class NativePolicyBackend final : public PolicyBackend {
 public:
  // Compiles `policy_dir` (empty: allow everything). InvalidArgument with file:line:col when it
  // does not compile, unless `start_denying_when_broken`: then every decision is a denial until
  // a Reload() succeeds.
  static Result<std::unique_ptr<NativePolicyBackend>> Create(std::string policy_dir,
                                                             nlohmann::json data,
                                                             std::string query_path,
                                                             bool start_denying_when_broken);

  PolicyAnswer Decide(const nlohmann::json& input) override;
  const char* name() const override { return "native"; }
  // Recompiles the directory now; on failure the current policy stays.
  Status Reload();

 private:
  NativePolicyBackend(std::string policy_dir, nlohmann::json data, std::string query_path);
  // The policy's `hint` for a denied input (PolicyAnswer::hints).
  std::vector<std::string> Hints(const policy::CompiledPolicy& p, const nlohmann::json& input) const;

  const std::string policy_dir_;
  const nlohmann::json data_;
  const std::string query_path_;
  std::mutex mu_;
  std::shared_ptr<const policy::CompiledPolicy> policy_;  // null: none compiled (deny)
};

}  // namespace baton
