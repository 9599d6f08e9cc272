// server/guard/policy_files.h
//
// Reading policies and their data from disk (the I/O the pure policy/ library does not do):
// the *.rego files of a directory (sorted, not recursive) or one file, and JSON documents.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "policy/policy.h"

namespace baton {

// The whole file, or standard input for "-".
Result<std::string> ReadTextFile(const std::string& path);
Result<nlohmann::json> ReadJsonFile(const std::string& path);
Result<std::vector<policy::PolicySource>> LoadPolicySources(const std::string& path);
Result<std::shared_ptr<const policy::CompiledPolicy>> LoadPolicy(const std::string& path);

}  // namespace baton
