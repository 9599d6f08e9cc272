// tools/job_tool.h
//
// What every baton tool shares: the job service it calls and its MCP definition (name, title,
// description, schemas, annotations), which the subclass's constructor fills in.
#pragma once

#include <nlohmann/json.hpp>

#include "server/jobs/job_service.h"
#include "server/mcp/tool.h"

namespace baton::tools {

class JobTool : public Tool {
 public:
  const nlohmann::json& Definition() const override { return definition_; }

 protected:
  explicit JobTool(JobService& jobs) : jobs_(jobs) {}

  JobService& jobs_;
  nlohmann::json definition_;
};

}  // namespace baton::tools
