// tools/chain_tool.h
//
// `chain`: follow-up jobs that run one after another, each receiving its predecessor's result.
#pragma once

#include "server/job_service.h"
#include "server/tool.h"

namespace baton::tools {

class ChainTool final : public Tool {
 public:
  explicit ChainTool(JobService& jobs);
  const nlohmann::json& Definition() const override { return definition_; }
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;

 private:
  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
