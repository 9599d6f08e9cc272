// server/guard/opa_policy_backend.h
//
// The policy backend that asks a real OPA server over its REST data API: POST {"input": ...} to
// the configured data URL (e.g. http://127.0.0.1:8181/v1/data/baton) and read `result.allow` and
// `result.deny`. No answer within the timeout, a non-200 status or no `result` (an undefined
// decision) is a denial. Thread-safe (one HTTP client per decision).
#pragma once

#include <string>

#include "server/guard/policy_backend.h"

namespace baton {

class OpaPolicyBackend final : public PolicyBackend {
 public:
  OpaPolicyBackend(std::string url, int timeout_ms);
  PolicyAnswer Decide(const nlohmann::json& input) override;
  const char* name() const override { return "opa"; }

 private:
  const std::string url_;
  const int timeout_ms_;
};

}  // namespace baton
