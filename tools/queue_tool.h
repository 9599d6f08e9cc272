// tools/queue_tool.h
//
// `queue`: list queues, pause or resume one, set its concurrency limit.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class QueueTool final : public JobTool {
 public:
  explicit QueueTool(JobService& jobs);
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
