#include "tools/register_tools.h"

#include <memory>

#include "tools/cancel_tool.h"
#include "tools/chain_tool.h"
#include "tools/enqueue_tool.h"
#include "tools/job_resource.h"
#include "tools/jobs_tool.h"
#include "tools/queue_tool.h"
#include "tools/retry_tool.h"
#include "tools/schedule_tool.h"
#include "tools/status_tool.h"

namespace baton::tools {

void RegisterJobTools(McpServer& server, JobService& jobs) {
  server.AddTool(std::make_unique<EnqueueTool>(jobs));
  server.AddTool(std::make_unique<StatusTool>(jobs));
  server.AddTool(std::make_unique<ChainTool>(jobs));
  server.AddTool(std::make_unique<CancelTool>(jobs));
  server.AddTool(std::make_unique<RetryTool>(jobs));
  server.AddTool(std::make_unique<JobsTool>(jobs));
  server.AddTool(std::make_unique<ScheduleTool>(jobs));
  server.AddTool(std::make_unique<QueueTool>(jobs));
  RegisterJobResource(server, jobs);
}

}  // namespace baton::tools
