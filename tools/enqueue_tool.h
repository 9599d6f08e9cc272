// tools/enqueue_tool.h
//
// `enqueue`: start a command as a durable background job.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class EnqueueTool final : public Tool {
 public:
  explicit EnqueueTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
