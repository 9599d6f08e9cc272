#include "tools/enqueue_tool.h"

#include "tools/job_spec_schema.h"
#include "tools/job_wait.h"

namespace baton::tools {

using nlohmann::json;

namespace {
StatusOptions SingleJob() {
  StatusOptions o;
  o.single = true;
  return o;
}

json EnqueueInputSchema() {
  json schema = JobSpecSchema();
  schema["properties"]["wait"] = WaitArgumentSchema();
  return schema;
}
}  // namespace

EnqueueTool::EnqueueTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "enqueue"},
      {"title", "Enqueue a background job"},
      {"description",
       "Run a command as a durable background job and get its id at once; it survives this "
       "session. Use it for anything slow: builds, tests, `claude -p` reviews. Then call status "
       "with wait_seconds for the result, or chain a follow-up."},
      {"inputSchema", EnqueueInputSchema()},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_id", {{"type", "integer"}}},
          {"state", {{"type", "string"}}},
          {"existed", {{"type", "boolean"}}}}},
        {"required", {"job_id", "state"}}}},
      {"annotations",
       {{"title", "Enqueue a background job"},
        {"readOnlyHint", false},
        {"destructiveHint", false},
        {"idempotentHint", false},
        {"openWorldHint", true}}}};
  // Operator-defined templates: listed here so that agents see them with the tool.
  const TemplateCatalog* templates = jobs.options().templates;
  if (templates && !templates->empty()) {
    definition_["description"] =
        definition_["description"].get<std::string>() +
        "\nTemplates: {\"template\": NAME, \"params\": {...}} instead of command:\n" +
        templates->Summary();
    json& schema = definition_["inputSchema"];
    schema.erase("required");
    schema["properties"]["template"] = {{"type", "string"}};
    schema["properties"]["params"] = {{"type", "object"}};
  }
  AddWaitOutputProperties(definition_["outputSchema"]);
}

bool EnqueueTool::MayBlock(const json& args) const {
  return args.is_object() && args.value("wait", json(false)) == json(true);
}

namespace {
struct EnqueueCall final : ToolRequest {
  ParsedJobSpec spec;
  bool wait = false;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> EnqueueTool::Parse(const json& args) const {
  auto request = std::make_unique<EnqueueCall>();
  json spec = args;
  if (spec.contains("wait")) {
    if (!spec["wait"].is_boolean())
      return Status::InvalidArgument("`wait` must be true or false");
    request->wait = spec["wait"].get<bool>();
    spec.erase("wait");
  }
  BATON_ASSIGN_OR_RETURN(request->spec, jobs_.ParseEnqueue(spec));
  request->arguments = request->spec.normalized;
  request->origin = "direct";
  if (const auto& t = request->spec.from_template) {
    request->origin = "template";
    request->template_use = {{"name", t->name}, {"params", t->params}};
  }
  // The first dependency is the job's parent in the chain facts.
  if (!request->spec.spec.depends_on.empty())
    request->chain_parent = request->spec.spec.depends_on.front().job_id;
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult EnqueueTool::Run(const ToolRequest& request, ToolCallContext& ctx) {
  const auto& req = static_cast<const EnqueueCall&>(request);
  const bool wait = req.wait;
  auto out = jobs_.Enqueue(req.spec, ctx.origin);
  if (!out.ok()) return ToolResult::FromStatus(out.status());
  json r = {{"job_id", out->id}, {"state", ToString(out->state)}};
  if (out->existed) r["existed"] = true;
  if (ctx.task_mode == TaskMode::kCore || (ctx.task_mode == TaskMode::kExtension && wait))
    return ToolResult::Deferred({out->id}, SingleJob().ToJson(), r);
  if (wait) {  // the job's status view, with `existed`
    auto waited = WaitForJobs(jobs_, {out->id}, jobs_.options().max_wait_ms, SingleJob(), ctx);
    if (!waited.ok()) return ToolResult::FromStatus(waited.status());
    r.update(*waited);
  }
  return ToolResult::Ok(std::move(r));
}

}  // namespace baton::tools
