#include "tools/job_spec_schema.h"

#include <limits>

#include "base/parse_number.h"
#include "storage/job_options.h"
#include "storage/json_number.h"

namespace baton::tools {

using nlohmann::json;

const json& JobSpecProperties() {
  static const json kProps = {
      {"command",
       {{"type", "array"},
        {"items", {{"type", "string"}}},
        {"minItems", 1},
        {"description",
         "argv to run, no shell: [\"make\", \"test\"]. argv[0] is looked up in PATH."}}},
      {"cwd", {{"type", "string"}, {"description", "Working directory (default: the server's)."}}},
      {"env",
       {{"type", "object"},
        {"additionalProperties", {{"type", "string"}}},
        {"description", "Extra environment variables."}}},
      {"stdin",
       {{"type", "string"},
        {"description",
         "Text fed to the job's standard input, at most 1 MiB (with placeholders expanded, at "
         "most 16 MiB)."}}},
      {"queue", {{"type", "string"}, {"description", "Queue name (default \"default\")."}}},
      {"priority",
       {{"type", "integer"},
        {"minimum", kMinPriority},
        {"maximum", kMaxPriority},
        {"description", "Higher runs first within a queue, -1000 to 1000 (default 0)."}}},
      {"delay_seconds",
       {{"type", "number"},
        {"minimum", 0},
        {"maximum", kMaxDelaySeconds},
        {"description", "Start no earlier than this many seconds from now (up to 365 days)."}}},
      {"run_at",
       {{"type", "string"},
        {"description", "Start time, RFC 3339, up to 2262-04-11T23:47:16Z (a past time runs at once)."}}},
      {"timeout_seconds",
       {{"type", "number"},
        {"minimum", 0},
        {"maximum", kMaxTimeoutSeconds},
        {"description", "Kill the job's process group after this long (up to 7 days)."}}},
      {"inactivity_timeout_seconds",
       {{"type", "number"},
        {"minimum", 0},
        {"maximum", kMaxTimeoutSeconds},
        {"description", "Kill it after this long without output (up to 7 days)."}}},
      {"retry",
       {{"type", "object"},
        {"description",
         "Retry policy: max_attempts 1-100 (default 1), initial_delay s (1), multiplier 1-100 "
         "(2), max_delay s (300; delays up to 86400), jitter full|equal|none, retry_on "
         "[nonzero, timeout, lost, signal, or exit codes 1-255]."}}},
      {"idempotency_key",
       {{"type", "string"},
        {"description", "A repeated enqueue with this key returns the existing job."}}},
      {"depends_on",
       {{"type", "array"},
        {"maxItems", kMaxDependsOn},
        {"description",
         "Jobs that must finish first (at most 1000): ids, or {\"job\": id, \"condition\": "
         "\"success|failure|always\"} (default success)."}}},
      {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
      {"name", {{"type", "string"}, {"description", "Step name, for {{steps.NAME.stdout}}."}}},
  };
  return kProps;
}

json JobSpecSchema() {
  return {{"type", "object"}, {"properties", JobSpecProperties()}, {"required", {"command"}}};
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
    std::string known;
    for (auto p = props.begin(); p != props.end(); ++p) known += (known.empty() ? "" : ", ") + p.key();
    return Status::InvalidArgument("`" + it.key() + "` is not an argument of this tool; it takes: " +
                                   known);
  }
  return Status::OK();
}

}  // namespace baton::tools
