// tools/cancel_tool.h
//
// `cancel`: stop a job (and, by default, what depends on it).
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class CancelTool final : public JobTool {
 public:
  explicit CancelTool(JobService& jobs);
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
