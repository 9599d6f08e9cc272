// server/guard/policy_backend.h
//
// What answers a policy query: given the input document (docs/policy.md), allowed or not, and
// why. Two implementations: the native Rego evaluator (native_policy_backend.h) and an OPA server
// over its REST data API (opa_policy_backend.h). Both fail closed: an evaluation error, an
// undefined decision or a backend that does not answer is a denial with a reason that says so.
// Implementations are thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton {

struct PolicyAnswer {
  bool allow = false;
  std::vector<std::string> reasons;  // why not (never empty on a denial)
  std::string decision_id;           // the backend's own id of the decision (OPA), if any
  // On a denial, what the agent may do instead: the policy's optional `hint` rule (a string or
  // a set of strings, docs/policy.md), e.g. the commands it allows.
  std::vector<std::string> hints;
};

class PolicyBackend {
 public:
  virtual ~PolicyBackend() = default;
  virtual PolicyAnswer Decide(const nlohmann::json& input) = 0;
  // The decision log's `backend`: "native" or "opa".
  virtual const char* name() const = 0;
};

}  // namespace baton
