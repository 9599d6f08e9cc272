// tools/queue_tool.h
//
// `queue`: list queues, pause or resume one, set its concurrency limit.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class QueueTool final : public Tool {
 public:
  explicit QueueTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
