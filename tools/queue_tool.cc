#include "tools/queue_tool.h"

#include "storage/json_number.h"
#include "tools/job_spec_schema.h"

namespace baton::tools {

using nlohmann::json;

QueueTool::QueueTool(JobService& jobs) : JobTool(jobs) {
  definition_ = {
      {"name", "queue"},
      {"title", "Queues"},
      {"description",
       "List queues with their counts, pause or resume one (running jobs go on), or limit how "
       "many of its jobs run at once (concurrency; null removes the limit). A job picks its "
       "queue with `queue` and runs by `priority` within it."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"action", {{"type", "string"}, {"enum", {"list", "pause", "resume", "limit"}}}},
          {"queue", {{"type", "string"}}},
          {"concurrency", {{"type", {"integer", "null"}}, {"minimum", 1}}}}},
        {"required", {"action"}}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties", {{"queues", {{"type", "array"}, {"items", {{"type", "object"}}}}}}},
        {"required", {"queues"}}}},
      {"annotations",
       {{"title", "Queues"},
        {"readOnlyHint", false},
        {"destructiveHint", false},
        {"idempotentHint", true},
        {"openWorldHint", false}}}};
}

ToolResult QueueTool::Run(const ToolRequest& request, ToolCallContext&) {
  const json& args = request.arguments;
  if (Status s = RejectUnknownArguments(args, definition_["inputSchema"]); !s.ok())
    return ToolResult::FromStatus(s);
  if (!args.contains("action") || !args["action"].is_string())
    return ToolResult::Error("Invalid arguments: `action` must be \"list\", \"pause\", \"resume\" "
                             "or \"limit\"");
  std::string action = args["action"].get<std::string>();
  if (action != "list") {
    if (!args.contains("queue") || !args["queue"].is_string())
      return ToolResult::Error("Invalid arguments: `queue` (a queue name) is required for " + action);
    std::string queue = args["queue"].get<std::string>();
    Status s;
    if (action == "pause" || action == "resume") {
      s = jobs_.SetQueuePaused(queue, action == "pause");
    } else if (action == "limit") {
      if (!args.contains("concurrency"))
        return ToolResult::Error("Invalid arguments: `concurrency` is required for limit (an "
                                 "integer, or null to remove the limit)");
      const json& c = args["concurrency"];
      std::optional<int64_t> limit = JsonInteger(c, 1, 10000);
      if (!c.is_null() && !limit)
        return ToolResult::Error("Invalid arguments: `concurrency` must be an integer from 1 to "
                                 "10000, or null to remove the limit; got " + c.dump());
      s = jobs_.SetQueueConcurrency(
          queue, c.is_null() ? std::nullopt : std::optional<int>(static_cast<int>(*limit)));
    } else {
      return ToolResult::Error("Invalid arguments: `action` must be \"list\", \"pause\", "
                               "\"resume\" or \"limit\"");
    }
    if (!s.ok()) return ToolResult::FromStatus(s);
  }
  auto queues = jobs_.ListQueues();
  if (!queues.ok()) return ToolResult::FromStatus(queues.status());
  json out = json::array();
  for (const QueueInfo& q : *queues) {
    json v = {{"queue", q.name}, {"paused", q.paused}, {"queued", q.queued},
              {"running", q.running}, {"pending", q.pending}, {"dead", q.dead}};
    if (q.concurrency) v["concurrency"] = *q.concurrency;
    out.push_back(std::move(v));
  }
  return ToolResult::Ok({{"queues", out}});
}

}  // namespace baton::tools
