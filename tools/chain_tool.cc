#include "tools/chain_tool.h"

#include "tools/job_spec_schema.h"
#include "tools/job_wait.h"

namespace baton::tools {

using nlohmann::json;

namespace {
json ChainStepSchema() {
  return JobSpecByReference(", plus on_failure: a job spec run if a later step fails (saga)");
}
}  // namespace

ChainTool::ChainTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "chain"},
      {"title", "Chain follow-up jobs"},
      {"description",
       "Jobs that run one after another: each step starts when the previous one succeeded, "
       "else the rest are skipped. `after` hangs the chain on an existing job (your own "
       "follow-up of a running build). Steps read earlier results through placeholders in "
       "command, env and stdin: {{prev.stdout}}, {{prev.stderr}}, {{prev.exit_code}}, "
       "{{prev.job_id}}, {{steps.NAME.stdout}}; and the file $BATON_PREV_OUTPUT_FILE. When a "
       "step fails, the on_failure jobs of the steps that succeeded run in reverse order."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"steps",
           {{"type", "array"}, {"items", ChainStepSchema()}, {"minItems", 1}, {"maxItems", 100}}},
          {"after", {{"type", "integer"}}},
          {"wait", WaitArgumentSchema()},
          {"after_condition", {{"type", "string"}, {"enum", {"success", "failure", "always"}}}}}},
        {"required", {"steps"}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"job_ids", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
          {"chain_id", {{"type", "integer"}}},
          {"states", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
        {"required", {"job_ids", "chain_id"}}}},
      {"annotations",
       {{"title", "Chain follow-up jobs"},
        {"readOnlyHint", false},
        {"destructiveHint", false},
        {"idempotentHint", false},
        {"openWorldHint", true}}}};
  AddWaitOutputProperties(definition_["outputSchema"]);
}

bool ChainTool::MayBlock(const json& args) const {
  return args.is_object() && args.value("wait", json(false)) == json(true);
}

namespace {
struct ChainCall final : ToolRequest {
  ParsedChain chain;
  bool wait = false;
};
}  // namespace

Result<std::unique_ptr<ToolRequest>> ChainTool::Parse(const json& args) const {
  BATON_RETURN_IF_ERROR(RejectUnknownArguments(args, definition_["inputSchema"]));
  if (!args.contains("steps"))
    return Status::InvalidArgument("`steps` is required: an array of job specs, e.g. "
                                   "[{\"command\": [\"make\"]}, {\"command\": [\"make\", \"test\"]}]");
  auto request = std::make_unique<ChainCall>();
  std::optional<JobId> after;
  if (args.contains("after")) {
    BATON_ASSIGN_OR_RETURN(JobId id, JobIdArgument(args, "after"));
    after = id;
  }
  DepCondition cond = DepCondition::kSuccess;
  if (args.contains("after_condition")) {
    const json& c = args["after_condition"];
    if (c == "failure") cond = DepCondition::kFailure;
    else if (c == "always") cond = DepCondition::kAlways;
    else if (c != "success")
      return Status::InvalidArgument("`after_condition` must be \"success\", \"failure\" or "
                                     "\"always\"");
  }
  if (args.contains("wait")) {
    if (!args["wait"].is_boolean()) return Status::InvalidArgument("`wait` must be true or false");
    request->wait = args["wait"].get<bool>();
  }
  BATON_ASSIGN_OR_RETURN(request->chain, jobs_.ParseChain(args["steps"], after, cond));
  // The policy sees every step expanded and normalized, and where the chain hangs.
  request->arguments = args;
  json& steps = request->arguments["steps"];
  steps = json::array();
  for (const ParsedJobSpec& step : request->chain.steps) steps.push_back(step.normalized);
  int depth = static_cast<int>(request->chain.steps.size()) - 1;
  if (after) {
    request->arguments["after"] = *after;
    request->chain_parent = *after;
    // A parent that does not exist is the run's NotFound; its depth is unknown here.
    if (auto parent = jobs_.Get(*after); parent.ok()) depth += parent->chain_step + 1;
  }
  request->chain_depth = depth;
  return std::unique_ptr<ToolRequest>(std::move(request));
}

ToolResult ChainTool::Run(const ToolRequest& request, ToolCallContext& ctx) {
  const auto& req = static_cast<const ChainCall&>(request);
  const bool wait = req.wait;
  auto out = jobs_.Chain(req.chain, ctx.origin);
  if (!out.ok()) return ToolResult::FromStatus(out.status());
  json ids = json::array(), states = json::array();
  for (const auto& o : *out) {
    ids.push_back(o.id);
    states.push_back(ToString(o.state));
  }
  auto first = jobs_.Get(out->front().id);
  JobId chain_id = first.ok() && first->chain_id ? *first->chain_id : out->front().id;
  std::vector<JobId> job_ids = ids.get<std::vector<JobId>>();
  json r = {{"job_ids", ids}, {"chain_id", chain_id}, {"states", states}};
  if (ctx.task_mode == TaskMode::kCore || (ctx.task_mode == TaskMode::kExtension && wait))
    return ToolResult::Deferred(job_ids, StatusOptions().ToJson(), r);
  if (wait) {
    auto waited = WaitForJobs(jobs_, job_ids, jobs_.options().max_wait_ms, {}, ctx);
    if (!waited.ok()) return ToolResult::FromStatus(waited.status());
    r.update(*waited);
    r["states"] = json::array();
    for (const json& j : r["jobs"]) r["states"].push_back(j["state"]);
  }
  return ToolResult::Ok(std::move(r));
}

}  // namespace baton::tools
