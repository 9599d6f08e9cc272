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
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
