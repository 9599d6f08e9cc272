// tools/jobs_tool.h
//
// `jobs`: list jobs with filters (state, queue, label, time) and cursor pagination, as compact rows.
#pragma once

#include "tools/job_tool.h"

namespace baton::tools {

class JobsTool final : public JobTool {
 public:
  explicit JobsTool(JobService& jobs);
  // Takes its arguments as they are (the default Parse): they need no normalizing for a policy.
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override;
};

}  // namespace baton::tools
