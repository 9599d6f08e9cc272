// tools/job_spec_schema.h
//
// The JSON Schema of a job spec, shared by the enqueue and chain tools' inputSchema, and a
// helper to read an integer job id argument with an error an agent can act on.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "storage/job.h"

namespace baton::tools {

// Properties of a job spec (without "required"), as JSON Schema.
const nlohmann::json& JobSpecProperties();
// The whole job spec object schema (enqueue's arguments).
nlohmann::json JobSpecSchema();
// A job spec elsewhere (chain steps, a schedule's spec): described once, in enqueue, and referred
// to here, since every tool's schema is paid for in every request. `what` adds to the sentence.
nlohmann::json JobSpecByReference(const std::string& what);

// args[field] as a positive job id.
Result<JobId> JobIdArgument(const nlohmann::json& args, const std::string& field);
// Fails with the names of arguments the tool does not know (typos are common).
Status RejectUnknownArguments(const nlohmann::json& args, const nlohmann::json& input_schema);

}  // namespace baton::tools
