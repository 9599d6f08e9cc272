#include "tools/job_spec_schema.h"

#include <limits>

#include "base/did_you_mean.h"
#include "base/parse_number.h"
#include "storage/job_options.h"
#include "storage/json_number.h"

namespace baton::tools {

using nlohmann::json;

const json& JobSpecProperties() {
  // Only what the schema's types do not say; limits the parser enforces with a specific error
  // (sizes, ranges) are left to that error.
  static const json kProps = {
      {"command",
       {{"type", "array"},
        {"items", {{"type", "string"}}},
        {"minItems", 1},
        {"description",
         "argv, no shell: [\"make\", \"test\"]. {{attempt}} and {{last_error}} (what failed "
         "the previous attempt) expand here, in env and stdin."}}},
      {"cwd", {{"type", "string"}}},
      {"env", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
      {"stdin", {{"type", "string"}}},
      {"queue", {{"type", "string"}}},
      {"priority", {{"type", "integer"}, {"description", "Higher first, -1000 to 1000."}}},
      {"delay_seconds", {{"type", "number"}}},
      {"run_at", {{"type", "string"}, {"description", "RFC 3339."}}},
      {"timeout_seconds", {{"type", "number"}}},
      {"inactivity_timeout_seconds",
       {{"type", "number"}, {"description", "Kill it after this long without output."}}},
      {"retry",
       {{"type", "object"},
        {"description",
         "max_attempts (default 1), initial_delay, multiplier, max_delay, jitter "
         "full|equal|none, retry_on [nonzero|timeout|lost|signal|verify_failed|exit codes]."}}},
      {"verify",
       {{"type", "object"},
        {"description",
         "{command: argv, timeout_seconds: 600}: runs after exit 0, same cwd/env; failing "
         "it fails the attempt (verify_failed)."}}},
      {"idempotency_key",
       {{"type", "string"}, {"description", "Enqueue again with it: the existing job."}}},
      {"depends_on",
       {{"type", "array"},
        {"description",
         "Job ids to finish first, or {\"job\": id, \"condition\": "
         "\"success|failure|always\"}."}}},
      {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
      {"name", {{"type", "string"}, {"description", "Step name, for {{steps.NAME.stdout}}."}}},
  };
  return kProps;
}

json JobSpecSchema() {
  return {{"type", "object"}, {"properties", JobSpecProperties()}, {"required", {"command"}}};
}

json JobSpecByReference(const std::string& what) {
  return {{"type", "object"},
          {"description", "A job spec as enqueue takes it (command or template + params, cwd, "
                          "env, ...)" + what + "."}};
}

Result<JobId> JobIdArgument(const json& args, const std::string& field) {
  if (!args.contains(field))
    return Status::InvalidArgument("`" + field + "` is required: the job id returned by enqueue");
  const json& v = args[field];
  constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
  if (auto id = JsonInteger(v, 1, kMaxId)) return *id;
  if (v.is_string()) {  // agents sometimes quote ids
    auto id = ParseInt64(v.get_ref<const std::string&>(), "`" + field + "`", 1, kMaxId);
    if (id.ok()) return *id;
  }
  return Status::InvalidArgument("`" + field + "` must be a positive integer job id, got " +
                                 v.dump());
}

Status RejectUnknownArguments(const json& args, const json& schema) {
  const json& props = schema.at("properties");
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (props.contains(it.key())) continue;
    std::vector<std::string> names;
    std::string known;
    for (auto p = props.begin(); p != props.end(); ++p) {
      names.push_back(p.key());
      known += (known.empty() ? "" : ", ") + p.key();
    }
    return Status::InvalidArgument("`" + it.key() + "` is not an argument of this tool" +
                                   DidYouMean(it.key(), names) + "; it takes: " + known);
  }
  return Status::OK();
}

}  // namespace baton::tools
