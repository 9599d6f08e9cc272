// `baton serve --http ADDR`: one MCP service over Streamable HTTP for many clients. The
// composition root of that process: the background host (in-process runner, events, WAL), the
// front-end, the MCP server with the job tools, the HTTP transport. Shutdown order
// (SIGTERM/SIGINT): stop the HTTP server (ends streams and sessions), wait for stateless
// requests, shut the background host down (server/background_host.h), close the database.
#include "server/cli/serve_http.h"

#include <errno.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "server/background_host.h"
#include "server/cli/event_flags.h"
#include "server/cli/http_flags.h"
#include "server/cli/metrics_http.h"
#include "server/config_file.h"
#include "server/front_end.h"
#include "server/mcp/job_news.h"
#include "server/cli/logging.h"
#include "server/cli/news_flags.h"
#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_session.h"
#include "server/mcp/mcp_tasks.h"
#include "server/mcp/task_news.h"
#include "server/metrics/metrics_page.h"
#include "server/metrics/request_tally.h"
#include "server/cli/serve_flags.h"
#include "server/jobs/state_paths.h"
#include "tools/register_tools.h"
#include "transport/http_auth.h"
#include "transport/http_server.h"

namespace baton {

namespace {

int g_signal_pipe = -1;
void OnSignal(int) {
  char c = 1;
  if (g_signal_pipe >= 0) (void)!write(g_signal_pipe, &c, 1);
}

constexpr const char* kInstructions =
    "Baton runs commands as durable background jobs that outlive this session. Use `enqueue` "
    "for anything slow (builds, test suites, `claude -p` runs), then `status` with wait_seconds "
    "to collect the result instead of polling. Use `chain` to run follow-ups that receive the "
    "previous job's output ({{prev.stdout}}), and `cancel` to stop a job and its dependents.";

}  // namespace

int ServeHttp(const Flags& flags) {
  if (Status s = SetUpLogging(flags.Get("log-level").value_or("info"),
                              flags.Get("log-file").value_or(""), "serve-http");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  transport::HttpServerOptions options;
  if (Status s = HttpOptionsFromFlags(flags, *flags.Get("http"), "--http", &options); !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  options.session_versions = SupportedProtocolVersions();
  auto max_body = flags.Number("max-body-bytes", static_cast<double>(options.max_body_bytes));
  auto concurrency = flags.Number("concurrency", 0);
  if (!max_body.ok() || !concurrency.ok() || *max_body < 1024) {
    fprintf(stderr, "baton: %s\n",
            !max_body.ok() ? max_body.status().message().c_str()
                           : !concurrency.ok() ? concurrency.status().message().c_str()
                                               : "--max-body-bytes must be at least 1024");
    return 2;
  }
  options.max_body_bytes = static_cast<size_t>(*max_body);

  int pipefd[2];
  if (pipe(pipefd) != 0) {
    spdlog::error("pipe: {}", strerror(errno));
    return 1;
  }
  g_signal_pipe = pipefd[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Every flag is read before anything starts.
  BackgroundHostOptions ho;
  ho.db_path = flags.Get("db").value_or(DefaultDbPath());
  ho.hosting = RunnerHosting::kIfFree;
  ho.lock_wait_ms = 500;
  ho.runner.concurrency = static_cast<int>(*concurrency);
  FrontEndOptions fo;
  fo.runner_args = {"--idle-exit", flags.Get("runner-idle-exit").value_or("30")};
  for (const std::string& a : EventFlagsAsArgs(flags)) fo.runner_args.push_back(a);
  for (const std::string& a : PolicyFlagsAsArgs(flags)) fo.runner_args.push_back(a);
  if (Status s = ApplyPolicyFlags(flags, &ho.policy); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  fo.policy = ho.policy;
  auto nats = NatsOptionsFromFlags(flags);
  if (!nats.ok()) {
    spdlog::error("{}", nats.status().message());
    return 2;
  }
  ho.nats = *nats;
  auto config = LoadConfig(flags.Get("config"));
  if (!config.ok()) {
    spdlog::error("{}", config.status().message());
    return 2;
  }
  if (!config->path.empty())
    spdlog::info("config {}: {} template(s)", config->path, config->templates.templates().size());
  fo.templates = &config->templates;
  auto full = SynchronousFullFlag(flags);
  if (!full.ok()) {
    spdlog::error("{}", full.status().message());
    return 2;
  }
  fo.synchronous_full = *full;
  auto news = NewsOptionsFromFlags(flags);
  if (!news.ok()) {
    spdlog::error("{}", news.status().message());
    return 2;
  }
  fo.max_wait_ms = news->max_wait_ms;
  fo.progress_interval_ms = news->progress_interval_ms;

  // The runner, in-process: one service for many clients. Another runner may already hold the
  // database (a CLI-started one); then front-ends rely on it and wake a new one on demand.
  // Destroyed after the front-end and the HTTP server (server/background_host.h).
  auto host = BackgroundHost::Open(std::move(ho));
  if (!host.ok()) {
    spdlog::error("cannot open the job database: {}", host.status().ToString());
    return 1;
  }
  if (Status s = (*host)->Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  fo.db_path = (*host)->paths().db;
  fo.spawn_runner = !(*host)->hosts_runner();
  auto fe = FrontEnd::Open(fo);
  if (!fe.ok()) {
    spdlog::error("cannot open the job database: {}", fe.status().ToString());
    return 1;
  }
  McpServer server("baton", BATON_VERSION, kInstructions);
  tools::RegisterJobTools(server, (*fe)->jobs());
  McpTasks tasks((*fe)->jobs(), (*fe)->store(), SystemClock::Instance());
  server.SetTasks(&tasks);
  server.SetGuard(&(*fe)->guard());
  ApplyNewsOptions(*news, server);
  auto feed = (*fe)->feed();
  if (!feed.ok()) {
    spdlog::error("job feed: {}", feed.status().ToString());
    return 1;
  }
  JobNews job_news(**feed, (*fe)->store(), server.notifications());
  TaskNews task_news(**feed, (*fe)->store(), tasks, server.notifications(),
                     SystemClock::Instance());
  // /metrics: this process's request counts go to the database, and the page reads them back
  // with every other total (server/metrics/metrics_page.h).
  auto metrics_store = MetricsStore::Open((*fe)->paths().db);
  if (!metrics_store.ok()) {
    spdlog::error("cannot open the job database for /metrics: {}",
                  metrics_store.status().ToString());
    return 1;
  }
  RequestTally tally(**metrics_store);
  tally.Start();
  server.SetRequestObserver(&tally);
  MetricsPage metrics_page(**metrics_store, &tally, BATON_VERSION, SystemClock::Instance());
  options.pages["/metrics"] = MetricsHttpPage(metrics_page);
  McpHttpHandler handler(server);
  transport::StreamableHttpServer http(options, handler);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  spdlog::info("serving MCP over Streamable HTTP at {}/mcp, metrics at /metrics ({}); "
               "database {}",
               HttpBaseUrl(options.host, http.port()),
               options.access.tokens.empty() ? "no tokens: loopback only"
                                             : std::to_string(options.access.tokens.size()) + " token(s)",
               (*fe)->paths().db);
  char c;
  while (read(pipefd[0], &c, 1) < 0 && errno == EINTR) {
  }
  spdlog::info("shutting down");
  // Open subscriptions/listen streams end gracefully: their result is handed to the transport
  // (within a second) before it stops, and Stop() still delivers what streams hold.
  server.notifications().CloseAll();
  handler.Shutdown(/*wait_ms=*/1000);
  http.Stop();
  handler.Shutdown();
  tally.Shutdown();  // after the last request: its count is saved too
  (*host)->Shutdown();  // the runner, then its events, WAL and parts (server/background_host.h)
  g_signal_pipe = -1;
  return 0;
}

}  // namespace baton
