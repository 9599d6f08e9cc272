// tools/queue_tool.h
//
// `queue`: list queues, pause or resume one, set its concurrency limit.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class QueueTool final : public JobTool {
 public:
  explicit QueueTool(JobService& jobs);
  // Takes its arguments as they are (the default Parse): they need no normalizing for a policy.
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
