// tools/status_tool.h
//
// `status`: where one or several jobs stand, optionally waiting until they finish.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class StatusTool final : public Tool {
 public:
  explicit StatusTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  bool MayBlock(const nlohmann::json& arguments) const override;
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
