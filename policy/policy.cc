// policy/policy.cc
#include "policy/policy.h"

#include <nlohmann/json.hpp>

#include "policy/compiled_policy.h"
#include "policy/compiler.h"
#include "policy/evaluator.h"
#include "policy/parser.h"

namespace baton::policy {

namespace {

Result<std::vector<std::string>> ParseRefPath(std::string_view ref) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = ref.find('.', start);
    std::string p(ref.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (p.empty()) return Status::InvalidArgument("malformed reference \"" + std::string(ref) + "\"");
    parts.push_back(std::move(p));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts[0] != "data") {
    return Status::InvalidArgument("reference must start with data: \"" + std::string(ref) + "\"");
  }
  parts.erase(parts.begin());
  return parts;
}

Value InputValue(const nlohmann::json& input) {
  return input.is_discarded() ? Value() : Value::FromJson(input);
}

}  // namespace

Result<std::shared_ptr<const CompiledPolicy>> CompilePolicy(const std::vector<PolicySource>& sources) {
  std::vector<Module> modules;
  for (const auto& s : sources) {
    auto m = ParseModule(s.name, s.text);
    if (!m.ok()) return m.status();
    modules.push_back(std::move(m).value());
  }
  if (modules.empty()) return Status::InvalidArgument("no policy modules");
  return Compile(std::move(modules));
}

Decision Decide(const CompiledPolicy& policy, const nlohmann::json& input, const nlohmann::json& data,
                std::string_view query_path) {
  Decision d;
  auto path = ParseRefPath(query_path);
  if (!path.ok()) {
    d.errors.push_back(path.status().message());
    return d;
  }
  Evaluator ev(policy, InputValue(input), Value::FromJson(data));
  auto allow_path = *path;
  allow_path.push_back("allow");
  Value allow = ev.EvalDataPath(allow_path);
  auto deny_path = *path;
  deny_path.push_back("deny");
  Value deny = ev.status().ok() ? ev.EvalDataPath(deny_path) : Value();
  if (!ev.status().ok()) {
    d.errors.push_back("policy evaluation error: " + ev.status().message());
    return d;
  }
  if (deny.is_set() || deny.is_array()) {
    for (const auto& m : deny.items()) d.deny.push_back(m.is_string() ? m.str() : m.ToRego());
  } else if (deny.defined()) {
    d.errors.push_back(std::string(query_path) + ".deny is not a set");
  }
  if (!allow.defined()) {
    d.errors.push_back(std::string(query_path) + ".allow is undefined");
  } else if (!allow.is_bool()) {
    d.errors.push_back(std::string(query_path) + ".allow is not a boolean (got " +
                       std::string(KindName(allow.kind())) + ")");
  } else {
    d.allow = allow.boolean() && d.deny.empty() && d.errors.empty();
  }
  return d;
}

Result<std::optional<nlohmann::json>> EvalQuery(const CompiledPolicy& policy, std::string_view ref,
                                                const nlohmann::json& input,
                                                const nlohmann::json& data) {
  auto path = ParseRefPath(ref);
  if (!path.ok()) return path.status();
  Evaluator ev(policy, InputValue(input), Value::FromJson(data));
  Value v = ev.EvalDataPath(*path);
  if (!ev.status().ok()) return ev.status();
  if (!v.defined()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(v.ToJson());
}

TestReport RunPolicyTests(const CompiledPolicy& policy, const nlohmann::json& data) {
  TestReport report;
  Value base = Value::FromJson(data);
  for (const RuleSet* rs : policy.Tests()) {
    TestResult r;
    r.name = "data";
    for (const auto& p : rs->path) r.name += "." + p;
    Evaluator ev(policy, Value(), base);
    Value v = ev.RuleValue(rs);
    if (!ev.status().ok()) {
      r.outcome = TestResult::Outcome::kError;
      r.message = ev.status().message();
    } else if (v.defined() && !v.is_false()) {
      r.outcome = TestResult::Outcome::kPass;
    } else {
      r.outcome = TestResult::Outcome::kFail;
    }
    (r.outcome == TestResult::Outcome::kPass ? report.passed : report.failed)++;
    report.results.push_back(std::move(r));
  }
  return report;
}

}  // namespace baton::policy
