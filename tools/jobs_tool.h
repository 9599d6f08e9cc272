// tools/jobs_tool.h
//
// `jobs`: list jobs with filters (state, queue, label, time) and cursor pagination, as compact rows.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class JobsTool final : public Tool {
 public:
  explicit JobsTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
