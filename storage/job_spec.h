// storage/job_spec.h
//
// JobSpec <-> JSON. ParseJobSpec is the one validator of job specs, for what agents send and for
// what the store reads back: every error names the field and says how to fix it, so an agent can
// correct its call. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "storage/job.h"

namespace baton {

struct SpecContext {
  std::string base_cwd;  // relative `cwd` values resolve against it; the default cwd
  int64_t now_ms = 0;    // `delay_seconds` counts from here
  bool verify_cwd = true;  // false when reading back a stored spec (the directory may be gone)
  // True when reading back what the store wrote: a size limit added later (stdin) must not
  // make an older row unreadable.
  bool stored = false;
};

// Validates and normalizes (absolute cwd, run_at from delay_seconds, defaults applied).
// `where` prefixes field names in errors ("steps[2].").
Result<JobSpec> ParseJobSpec(const nlohmann::json& j, const SpecContext& ctx,
                             const std::string& where = "");

// The normalized spec as JSON (what ParseJobSpec accepts back unchanged).
nlohmann::json JobSpecToJson(const JobSpec& spec);

// The names of the fields a job spec accepts, for schemas and error messages.
const std::vector<std::string>& JobSpecFieldNames();

}  // namespace baton
