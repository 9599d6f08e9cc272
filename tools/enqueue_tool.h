// tools/enqueue_tool.h
//
// `enqueue`: start a command as a durable background job.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class EnqueueTool final : public JobTool {
 public:
  explicit EnqueueTool(JobService& jobs);
  bool MayBlock(const nlohmann::json& arguments) const override;
  bool SupportsTasks() const override { return true; }
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
