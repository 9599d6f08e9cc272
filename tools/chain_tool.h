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
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
