// tools/job_resource.h
//
// The job resource `baton://jobs/{id}`: resources/read gives the compact status JSON of one job
// (the same picture the `status` tool gives for it), and clients may subscribe to it
// (resources/subscribe, or subscriptions/listen `resourceSubscriptions` on 2026-07-28) to get
// notifications/resources/updated when the job changes (server/mcp/job_news.h sends them).
#pragma once

#include <optional>
#include <string>

#include "server/mcp/job_news.h"
#include "server/jobs/job_service.h"
#include "server/mcp/mcp_server.h"

namespace baton::tools {

void RegisterJobResource(McpServer& server, JobService& jobs);

}  // namespace baton::tools
