#include "server/cli/serve_assembly.h"

#include <spdlog/spdlog.h>

#include "server/cli/event_flags.h"
#include "server/cli/serve_flags.h"
#include "server/jobs/state_paths.h"
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
  fo.db_path = flags.Get("db").value_or(DefaultDbPath());
  // The runner a front-end starts on demand: detached, it outlives the service.
  fo.runner_args = {"--idle-exit", flags.Get("runner-idle-exit").value_or("30")};
  // The runner applies these; a bad value is refused here, not by a runner that cannot start.
  if (auto c = flags.Get("concurrency")) {
    BATON_RETURN_IF_ERROR(flags.Number("concurrency", 0).status());
    fo.runner_args.insert(fo.runner_args.end(), {"--concurrency", *c});
  }
  BATON_RETURN_IF_ERROR(NatsOptionsFromFlags(flags).status());
  for (const std::string& a : EventFlagsAsArgs(flags)) fo.runner_args.push_back(a);
  for (const std::string& a : PolicyFlagsAsArgs(flags)) fo.runner_args.push_back(a);
  BATON_RETURN_IF_ERROR(ApplyPolicyFlags(flags, &fo.policy));
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

ServeAssembly::ServeAssembly(std::unique_ptr<BackgroundHost> host, std::unique_ptr<FrontEnd> fe,
                             std::unique_ptr<MetricsStore> metrics_store,
                             const NewsOptions& news)
    : host_(std::move(host)),
      fe_(std::move(fe)),
      metrics_store_(std::move(metrics_store)),
      tally_(std::make_unique<RequestTally>(*metrics_store_)),
      server_("baton", BATON_VERSION, kInstructions),
      tasks_(fe_->jobs(), fe_->store(), SystemClock::Instance()) {
  // This process's request counts, for baton_mcp_requests_total (server/metrics/request_tally.h).
  tally_->Start();
  server_.SetRequestObserver(tally_.get());
  tools::RegisterJobTools(server_, fe_->jobs());
  server_.SetTasks(&tasks_);
  server_.SetGuard(&fe_->guard());
  ApplyNewsOptions(news, server_);
}

// The host's parts (the front-end's policy reloader among them) stop before the front-end goes.
ServeAssembly::~ServeAssembly() { Shutdown(); }

void ServeAssembly::Shutdown() {
  tally_->Shutdown();
  host_->Shutdown();
}

Result<std::unique_ptr<ServeAssembly>> ServeAssembly::Open(const FrontEndOptions& fo,
                                                           const NewsOptions& news) {
  BackgroundHostOptions ho;
  ho.db_path = fo.db_path;
  ho.hosting = RunnerHosting::kNone;
  auto host = BackgroundHost::Open(std::move(ho));
  if (!host.ok())
    return Status(host.status().code(), "cannot open the job database: " + host.status().ToString());
  BATON_RETURN_IF_ERROR((*host)->Start());  // parts only; none is required yet
  auto fe = FrontEnd::Open(fo);
  if (!fe.ok())
    return Status(fe.status().code(), "cannot open the job database: " + fe.status().ToString());
  auto metrics_store = MetricsStore::Open((*fe)->paths().db);
  if (!metrics_store.ok())
    return Status(metrics_store.status().code(),
                  "cannot open the job database for /metrics: " + metrics_store.status().ToString());
  std::unique_ptr<ServeAssembly> a(new ServeAssembly(
      std::move(host).value(), std::move(fe).value(), std::move(metrics_store).value(), news));
  FrontEnd& f = *a->fe_;
  auto feed = f.feed();
  if (!feed.ok()) return Status(feed.status().code(), "job feed: " + feed.status().ToString());
  a->job_news_ = std::make_unique<JobNews>(**feed, f.store(), a->server_.notifications());
  a->task_news_ = std::make_unique<TaskNews>(**feed, f.store(), a->tasks_,
                                             a->server_.notifications(), SystemClock::Instance());
  if (auto reloader = f.guard().reloader())
    BATON_RETURN_IF_ERROR(a->host_->AddPart("policy reloader", std::move(reloader),
                                            PartNeed::kOptional));
  return a;
}

}  // namespace baton
