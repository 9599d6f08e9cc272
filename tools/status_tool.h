// tools/status_tool.h
//
// `status`: where one or several jobs stand, optionally waiting until they finish.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class StatusTool final : public JobTool {
 public:
  explicit StatusTool(JobService& jobs);
  bool MayBlock(const nlohmann::json& arguments) const override;
  bool SupportsTasks() const override { return true; }
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
