// server/cli/serve_assembly.h
//
// What `serve --stdio` and `serve --http` assemble the same way under their transport: the
// background host (its parts only: front-ends start a detached runner on demand, so jobs
// outlive the service), the front-end (server/front_end.h), and the MCP side (the server with
// the job tools, MCP tasks, the policy guard, and the news that turns job events into
// notifications: JobNews, TaskNews), the tally of the requests it answers (/metrics); and the
// flags both read for them.
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
#include "server/metrics/request_tally.h"
#include "storage/metrics_store.h"

namespace baton {

// The flags of both serve modes that shape the front-end: --db, the runner's (--runner-idle-exit,
// --concurrency, events, policy: a detached runner started on demand gets them), --config,
// --synchronous and the news flags. `config` holds the templates `fo` points to and must outlive
// the front-end. InvalidArgument naming the bad flag or file.
Status ApplyServeFlags(const Flags& flags, FrontEndOptions& fo, Config& config, NewsOptions& news);

class ServeAssembly {
 public:
  // Starts the host, opens the front-end and starts its job feed, and hands the guard's policy
  // reloader to the host, which stops it at its shutdown. Errors are the database's.
  static Result<std::unique_ptr<ServeAssembly>> Open(const FrontEndOptions& fo,
                                                     const NewsOptions& news);
  ~ServeAssembly();  // Shutdown()

  // After the transport stopped: the request tally's last counts are saved, then the host shuts
  // down (server/background_host.h). Idempotent.
  void Shutdown();

  FrontEnd& front_end() { return *fe_; }
  McpServer& server() { return server_; }
  MetricsStore& metrics_store() { return *metrics_store_; }
  RequestTally& tally() { return *tally_; }

 private:
  ServeAssembly(std::unique_ptr<BackgroundHost> host, std::unique_ptr<FrontEnd> fe,
                std::unique_ptr<MetricsStore> metrics_store, const NewsOptions& news);

  // Destroyed in reverse: the news unsubscribes before the tasks and the server go, then the
  // front-end, then the host, which outlives it.
  std::unique_ptr<BackgroundHost> host_;
  std::unique_ptr<FrontEnd> fe_;
  std::unique_ptr<MetricsStore> metrics_store_;
  std::unique_ptr<RequestTally> tally_;  // the server reports to it
  McpServer server_;
  McpTasks tasks_;
  std::unique_ptr<JobNews> job_news_;
  std::unique_ptr<TaskNews> task_news_;
};

}  // namespace baton
