// tools/schedule_tool.h
//
// `schedule`: create, list and delete cron schedules that enqueue a job spec on every run.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class ScheduleTool final : public JobTool {
 public:
  explicit ScheduleTool(JobService& jobs);
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
