// tools/cancel_tool.h
//
// `cancel`: stop a job (and, by default, what depends on it).
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class CancelTool final : public Tool {
 public:
  explicit CancelTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
