// tools/chain_tool.h
//
// `chain`: follow-up jobs that run one after another, each receiving its predecessor's result.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class ChainTool final : public JobTool {
 public:
  explicit ChainTool(JobService& jobs);
  bool MayBlock(const nlohmann::json& arguments) const override;
  bool SupportsTasks() const override { return true; }
  Result<std::unique_ptr<ToolRequest>> Parse(const nlohmann::json& arguments) const override;
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
