// tools/retry_tool.h
//
// `retry`: re-queue a dead, failed, cancelled or skipped job with fresh attempts (the dead-letter queue's way out).
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class RetryTool final : public JobTool {
 public:
  explicit RetryTool(JobService& jobs);
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
