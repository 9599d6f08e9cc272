// tools/register_tools.h
//
// Adds every baton tool to an MCP server. The tools keep a reference to `jobs`.
#pragma once

#include "server/jobs/job_service.h"
#include "server/mcp/mcp_session.h"

namespace baton::tools {

void RegisterJobTools(McpServer& server, JobService& jobs);

}  // namespace baton::tools
