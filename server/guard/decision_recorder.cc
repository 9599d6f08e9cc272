#include "server/guard/decision_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "base/random_id.h"
#include "base/sha256.h"

namespace baton {

using nlohmann::json;

DecisionRecorder::DecisionRecorder(DecisionLog& log, const Clock& clock,
                                   std::vector<std::string> mask_paths)
    : log_(log), clock_(clock), mask_paths_(std::move(mask_paths)) {}

namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Calls at(object, key) for every object holding the value a dotted path names, also inside
// arrays and chain steps. Json is json or const json: masking and asking whether a mask applies
// walk alike.
template <typename Json, typename At>
void ForEachMasked(Json& doc, const std::vector<std::string>& parts, At at) {
  std::function<void(Json&, size_t)> walk = [&](Json& node, size_t i) {
    if (node.is_array()) {
      for (Json& e : node) walk(e, i);
      return;
    }
    if (!node.is_object() || !node.contains(parts[i])) return;
    if (i + 1 == parts.size()) {
      at(node, parts[i]);
      return;
    }
    walk(node.at(parts[i]), i + 1);
  };
  walk(doc, 0);
  if (parts.size() >= 2 && parts[0] == "arguments" && doc.contains("arguments") &&
      doc.at("arguments").contains("steps")) {
    for (Json& step : doc.at("arguments").at("steps"))
      if (step.is_object() && step.contains(parts[1])) at(step, parts[1]);
  }
}

}  // namespace

void DecisionRecorder::Mask(json& doc, const std::string& path) {
  ForEachMasked(doc, SplitPath(path), [](json& node, const std::string& key) {
    node[key] = "<masked>";
  });
}

bool DecisionRecorder::Masks(const json& doc, const std::string& path) {
  bool found = false;
  ForEachMasked(doc, SplitPath(path), [&](const json&, const std::string&) { found = true; });
  return found;
}

std::vector<std::string> DecisionRecorder::UnrecordedReasons(const Status& why) {
  return {"the policy decision could not be recorded in the decision log (" + why.message() +
          "): the call is refused, since every decision served is logged (fail closed); try "
          "again"};
}

Status DecisionRecorder::Record(const DecisionSubject& who, const json& input,
                                const DecisionFacts& d) {
  DecisionRecord r;
  r.id = RandomHexId(12);
  r.ts_ms = clock_.NowMs();
  r.principal = who.principal;
  r.session = who.session;
  r.method = who.method;
  r.tool = who.tool;
  r.allowed = d.allowed;
  r.reasons = d.reasons;
  r.eval_us = d.eval_us;
  std::string full = input.dump();
  r.input_digest = Sha256Hex(full);
  // Most inputs hold nothing to mask (no env, no stdin): their text is the one just digested,
  // not a copy of the document masked and serialized again.
  bool masks = std::any_of(mask_paths_.begin(), mask_paths_.end(),
                           [&](const std::string& path) { return Masks(input, path); });
  if (!masks) {
    r.input_json = std::move(full);
  } else {
    json masked = input;
    for (const auto& path : mask_paths_) Mask(masked, path);
    r.input_json = masked.dump();
  }
  r.backend = d.backend;
  r.backend_decision_id = d.backend_id;
  // Record waits out the database's busy timeout (another process holding the write lock).
  Status s = log_.Record(r);
  if (!s.ok()) {
    spdlog::error("decision log: {}: refusing {} {} for {} (fail closed)", s.ToString(),
                  who.method, r.tool, r.principal);
    return s;
  }
  if (!d.allowed)
    spdlog::info("policy denied {} {}{} for {}: {}", who.method, r.tool,
                 input.contains("origin") && input["origin"] != "direct"
                     ? " (" + input["origin"].get<std::string>() + ")"
                     : std::string(),
                 r.principal, d.reasons.empty() ? "" : d.reasons.front());
  return Status::OK();
}

}  // namespace baton
