// tools/schedule_tool.h
//
// `schedule`: create, list and delete cron schedules that enqueue a job spec on every run.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class ScheduleTool final : public JobTool {
 public:
  explicit ScheduleTool(JobService& jobs);
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
