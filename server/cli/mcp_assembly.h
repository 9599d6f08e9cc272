// server/cli/mcp_assembly.h
//
// What `serve --stdio` and `serve --http` assemble the same way in front of their background
// host: the front-end (server/front_end.h) and the MCP side (the server with the job tools, MCP
// tasks, the policy guard, and the news that turns job events into notifications: JobNews,
// TaskNews), and the flags both read for them.
#pragma once

#include <memory>

#include "base/result.h"
#include "base/status.h"
#include "server/background_host.h"
#include "server/cli/flags.h"
#include "server/cli/news_flags.h"
#include "server/config_file.h"
#include "server/front_end.h"
#include "server/mcp/job_news.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/mcp_tasks.h"
#include "server/mcp/task_news.h"

namespace baton {

// --config, --synchronous and the news flags, applied to `fo`; `config` holds the templates
// `fo` points to and must outlive the front-end. InvalidArgument naming the bad flag or file.
Status ApplyServeFlags(const Flags& flags, FrontEndOptions& fo, Config& config, NewsOptions& news);

class McpAssembly {
 public:
  // Opens the front-end (errors are the database's) and starts its job feed, and hands the
  // guard's policy reloader to the started `host`, which starts it now and stops it at its
  // shutdown.
  static Result<std::unique_ptr<McpAssembly>> Open(const FrontEndOptions& fo,
                                                   BackgroundHost& host, const NewsOptions& news);

  FrontEnd& front_end() { return *fe_; }
  McpServer& server() { return server_; }

 private:
  McpAssembly(std::unique_ptr<FrontEnd> fe, const NewsOptions& news);

  // Destroyed in reverse: the news unsubscribes before the tasks and the server go, and the
  // front-end goes last.
  std::unique_ptr<FrontEnd> fe_;
  McpServer server_;
  McpTasks tasks_;
  std::unique_ptr<JobNews> job_news_;
  std::unique_ptr<TaskNews> task_news_;
};

}  // namespace baton
