// server/guard/decision_recorder.h
//
// Writes each policy decision to the decision log (storage/decision_log.h: a `decisions` row and
// a `policy.decision` event) with its input digest and the input masked at the configured paths
// ("arguments.env" also masks each chain step's env). A decision that cannot be recorded (the
// database stays locked past its busy timeout) is an error the caller must turn into a refusal:
// no call is served without its decision on record. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "storage/decision_log.h"

namespace baton {

// Who asked for what.
struct DecisionSubject {
  std::string principal, session, method, tool;
};

// One decision as it is recorded.
struct DecisionFacts {
  bool allowed = false;
  std::vector<std::string> reasons;
  int64_t eval_us = 0;
  std::string backend;     // "native", "opa", or "none: <why it was not evaluated>"
  std::string backend_id;  // the backend's decision id (OPA)
};

class DecisionRecorder {
 public:
  DecisionRecorder(DecisionLog& log, const Clock& clock, std::vector<std::string> mask_paths);

  // Records the decision on `input`; the error when it could not be (logged).
  Status Record(const DecisionSubject& who, const nlohmann::json& input, const DecisionFacts& d);
  // The reasons of a call refused because its decision could not be recorded.
  static std::vector<std::string> UnrecordedReasons(const Status& why);

  // Replaces the value at a dotted path ("arguments.env") with "<masked>", also inside arrays
  // and chain steps.
  static void Mask(nlohmann::json& doc, const std::string& path);
  // Whether Mask(doc, path) would replace anything.
  static bool Masks(const nlohmann::json& doc, const std::string& path);

 private:
  DecisionLog& log_;
  const Clock& clock_;
  const std::vector<std::string> mask_paths_;
};

}  // namespace baton
