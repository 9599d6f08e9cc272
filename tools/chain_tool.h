// tools/chain_tool.h
//
// `chain`: follow-up jobs that run one after another, each receiving its predecessor's result.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class ChainTool final : public JobTool {
 public:
  explicit ChainTool(JobService& jobs);
  ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
