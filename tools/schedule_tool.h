// tools/schedule_tool.h
//
// `schedule`: create, list and delete cron schedules that enqueue a job spec on every run.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class ScheduleTool final : public Tool {
 public:
  explicit ScheduleTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
