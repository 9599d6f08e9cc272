// tools/retry_tool.h
//
// `retry`: re-queue a dead, failed, cancelled or skipped job with fresh attempts (the dead-letter queue's way out).
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class RetryTool final : public Tool {
 public:
  explicit RetryTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
