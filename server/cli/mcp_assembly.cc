#include "server/cli/mcp_assembly.h"

#include <spdlog/spdlog.h>

#include "server/cli/serve_flags.h"
#include "tools/register_tools.h"

namespace baton {

namespace {

constexpr const char* kInstructions =
    "Baton runs commands as durable background jobs that outlive this session. Use `enqueue` "
    "for anything slow (builds, test suites, `claude -p` runs), then `status` with wait_seconds "
    "to collect the result instead of polling. Use `chain` to run follow-ups that receive the "
    "previous job's output ({{prev.stdout}}), and `cancel` to stop a job and its dependents.";

}  // namespace

Status ApplyServeFlags(const Flags& flags, FrontEndOptions& fo, Config& config, NewsOptions& news) {
  BATON_ASSIGN_OR_RETURN(config, LoadConfig(flags.Get("config")));
  if (!config.path.empty())
    spdlog::info("config {}: {} template(s)", config.path, config.templates.templates().size());
  fo.templates = &config.templates;
  BATON_ASSIGN_OR_RETURN(fo.synchronous_full, SynchronousFullFlag(flags));
  BATON_ASSIGN_OR_RETURN(news, NewsOptionsFromFlags(flags));
  fo.max_wait_ms = news.max_wait_ms;
  fo.progress_interval_ms = news.progress_interval_ms;
  return Status::OK();
}

McpAssembly::McpAssembly(std::unique_ptr<FrontEnd> fe, const NewsOptions& news)
    : fe_(std::move(fe)),
      server_("baton", BATON_VERSION, kInstructions),
      tasks_(fe_->jobs(), fe_->store(), SystemClock::Instance()) {
  tools::RegisterJobTools(server_, fe_->jobs());
  server_.SetTasks(&tasks_);
  server_.SetGuard(&fe_->guard());
  ApplyNewsOptions(news, server_);
}

Result<std::unique_ptr<McpAssembly>> McpAssembly::Open(const FrontEndOptions& fo,
                                                       BackgroundHost& host,
                                                       const NewsOptions& news) {
  auto fe = FrontEnd::Open(fo);
  if (!fe.ok())
    return Status(fe.status().code(), "cannot open the job database: " + fe.status().ToString());
  std::unique_ptr<McpAssembly> a(new McpAssembly(std::move(fe).value(), news));
  FrontEnd& f = *a->fe_;
  auto feed = f.feed();
  if (!feed.ok()) return Status(feed.status().code(), "job feed: " + feed.status().ToString());
  a->job_news_ = std::make_unique<JobNews>(**feed, f.store(), a->server_.notifications());
  a->task_news_ = std::make_unique<TaskNews>(**feed, f.store(), a->tasks_,
                                             a->server_.notifications(), SystemClock::Instance());
  if (auto reloader = f.guard().reloader())
    BATON_RETURN_IF_ERROR(host.AddPart("policy reloader", std::move(reloader), PartNeed::kOptional));
  return a;
}

}  // namespace baton
