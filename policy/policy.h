// policy/policy.h
//
// The public face of the Rego v1 evaluator: compile a set of policy modules once, then ask for a
// decision (`allow` + `deny` messages), the value of any rule, or run the `test_*` rules. Pure: no
// I/O, no clock, no logging; time reaches policies through the input (`now_ns`). The engine fails
// closed: an undefined or non-boolean `allow`, or any evaluation error, is a denial with a reason.
// A CompiledPolicy is immutable and may be evaluated from many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"

namespace baton::policy {

class CompiledPolicy;

struct PolicySource {
  std::string name;  // file name used in error messages
  std::string text;
};

// Parses and compiles the modules (several files, possibly several packages). InvalidArgument with
// "file:line:col: message" on unsupported syntax or a compile error.
Result<std::shared_ptr<const CompiledPolicy>> CompilePolicy(const std::vector<PolicySource>& sources);

struct Decision {
  bool allow = false;
  std::vector<std::string> deny;    // sorted messages of the `deny` set
  std::vector<std::string> errors;  // why the engine failed closed (empty when allow is real)
};

// Evaluates `<query_path>.allow` and `<query_path>.deny`. allow is true only when the policy's
// allow is `true` and deny is empty; an undefined or non-boolean allow, or an evaluation error,
// gives allow=false with the reason in `errors`.
Decision Decide(const CompiledPolicy& policy, const nlohmann::json& input, const nlohmann::json& data,
                std::string_view query_path = "data.baton");

// The value of any reference ("data.pkg.rule", "data.pkg" for a whole package); nullopt when
// undefined; InvalidArgument for a malformed reference or an evaluation error. Sets become arrays.
Result<std::optional<nlohmann::json>> EvalQuery(const CompiledPolicy& policy, std::string_view ref,
                                                const nlohmann::json& input,
                                                const nlohmann::json& data);

struct TestResult {
  enum class Outcome { kPass, kFail, kError };
  std::string name;  // data.pkg.test_x
  Outcome outcome = Outcome::kFail;
  std::string message;  // for kError
};
struct TestReport {
  std::vector<TestResult> results;
  int passed = 0;
  int failed = 0;  // includes errors
};

// Runs every rule named test_* (opa test semantics: pass when defined and not false).
TestReport RunPolicyTests(const CompiledPolicy& policy, const nlohmann::json& data);

}  // namespace baton::policy
