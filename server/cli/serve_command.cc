// `baton serve --stdio`: one MCP session over stdin/stdout (what Claude Code starts).
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "base/random_id.h"
#include "server/background_host.h"
#include "server/cli/commands.h"
#include "server/cli/event_flags.h"
#include "server/cli/flags.h"
#include "server/cli/serve_flags.h"
#include "server/config_file.h"
#include "server/front_end.h"
#include "server/mcp/group_commit.h"
#include "server/mcp/job_news.h"
#include "server/cli/logging.h"
#include "server/cli/news_flags.h"
#include "server/mcp/mcp_session.h"
#include "server/mcp/mcp_tasks.h"
#include "server/mcp/task_news.h"
#include "server/cli/serve_http.h"
#include "server/metrics/request_tally.h"
#include "storage/metrics_store.h"
#include "tools/register_tools.h"
#include "transport/jsonrpc.h"
#include "transport/stdio_transport.h"

namespace baton {

namespace {

constexpr size_t kMaxFrameBytes = 4 << 20;

constexpr const char* kInstructions =
    "Baton runs commands as durable background jobs that outlive this session. Use `enqueue` "
    "for anything slow (builds, test suites, `claude -p` runs), then `status` with wait_seconds "
    "to collect the result instead of polling. Use `chain` to run follow-ups that receive the "
    "previous job's output ({{prev.stdout}}), and `cancel` to stop a job and its dependents.";

class StdioResponder final : public Responder {
 public:
  explicit StdioResponder(transport::StdioTransport& io) : io_(io) {}
  void Respond(const nlohmann::json& m) override { io_.Write(m); }
  void Notify(const nlohmann::json& m) override { io_.Write(m); }

 private:
  transport::StdioTransport& io_;
};

}  // namespace

int ServeCommand(const Args& args) {
  std::set<std::string> valued = {"db", "log-level", "log-file", "runner-idle-exit", "concurrency",
                                  "http", "tokens-file", "allowed-origins", "allowed-hosts",
                                  "max-body-bytes"};
  for (const std::string& name : SharedServeFlagNames()) valued.insert(name);
  std::set<std::string> switches = {"stdio", "help"};
  switches.insert(NewsSwitchNames().begin(), NewsSwitchNames().end());
  auto flags = ParseFlags(args, valued, switches);
  bool http = flags.ok() && flags->Get("http").has_value();
  if (!flags.ok() || flags->Has("help") || (flags->Has("stdio") == http)) {
    fprintf(stderr, "%s%s%s",
            flags.ok() ? "" : (flags.status().message() + "\n").c_str(),
            "usage: baton serve --stdio [--db PATH] [--log-level info] [--log-file FILE]\n"
            "       [--runner-idle-exit SECONDS] [--concurrency N]\n",
            (std::string(kServeHttpUsage) + "shared options:\n" + kSharedServeUsage).c_str());
    return flags.ok() && flags->Has("help") ? 0 : 2;
  }
  if (http) return ServeHttp(*flags);
  if (Status s = SetUpLogging(flags->Get("log-level").value_or("info"),
                              flags->Get("log-file").value_or(""), "serve");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  FrontEndOptions fo;
  fo.db_path = flags->Get("db").value_or("");
  fo.runner_args = {"--idle-exit", flags->Get("runner-idle-exit").value_or("30")};
  if (auto c = flags->Get("concurrency")) fo.runner_args.insert(fo.runner_args.end(), {"--concurrency", *c});
  for (const std::string& a : EventFlagsAsArgs(*flags)) fo.runner_args.push_back(a);
  for (const std::string& a : PolicyFlagsAsArgs(*flags)) fo.runner_args.push_back(a);
  if (Status s = ApplyPolicyFlags(*flags, &fo.policy); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  auto config = LoadConfig(flags->Get("config"));
  if (!config.ok()) {
    spdlog::error("{}", config.status().message());
    return 2;
  }
  if (!config->path.empty())
    spdlog::info("config {}: {} template(s)", config->path, config->templates.templates().size());
  fo.templates = &config->templates;
  auto full = SynchronousFullFlag(*flags);
  if (!full.ok()) {
    spdlog::error("{}", full.status().message());
    return 2;
  }
  fo.synchronous_full = *full;
  auto news = NewsOptionsFromFlags(*flags);
  if (!news.ok()) {
    spdlog::error("{}", news.status().message());
    return 2;
  }
  fo.max_wait_ms = news->max_wait_ms;
  fo.progress_interval_ms = news->progress_interval_ms;
  // No runner here: front-ends start one on demand. The host holds the background parts a
  // session needs (server/background_host.h); the front-end supervises the runner.
  BackgroundHostOptions ho;
  ho.db_path = fo.db_path;
  ho.hosting = RunnerHosting::kNone;
  auto host = BackgroundHost::Open(std::move(ho));
  if (!host.ok()) {
    spdlog::error("cannot open the job database: {}", host.status().ToString());
    return 1;
  }
  if (Status s = (*host)->Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
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
  // This session's request counts, for baton_mcp_requests_total (server/metrics/request_tally.h).
  // Without them the session still serves.
  auto metrics_store = MetricsStore::Open((*fe)->paths().db);
  std::unique_ptr<RequestTally> tally;
  if (metrics_store.ok()) {
    tally = std::make_unique<RequestTally>(**metrics_store);
    tally->Start();
    server.SetRequestObserver(tally.get());
  } else {
    spdlog::warn("request counts for /metrics are off: {}", metrics_store.status().ToString());
  }
  transport::StdioTransport io(STDIN_FILENO, STDOUT_FILENO, kMaxFrameBytes);
  // The requests of one read share one commit; their answers wait for it (server/mcp/group_commit.h).
  auto responder = std::make_shared<GroupCommit>(std::make_shared<StdioResponder>(io),
                                                 (*fe)->store(), (*fe)->runner());
  McpSession session(server, {RandomHexId(16), "stdio", LocalUser()});
  session.SetUnsolicited([&io](const nlohmann::json& m) { io.Write(m); });
  spdlog::info("serving MCP over stdio; database {}", (*fe)->paths().db);
  io.Run([&](std::string&& frame) { session.HandleFrame(frame, responder); },
         [&](size_t bytes) {
           responder->Respond(transport::MakeError(
               nullptr, transport::kInvalidRequest,
               "Invalid Request: a message of " + std::to_string(bytes) +
                   " bytes exceeds the limit of " + std::to_string(kMaxFrameBytes) + " bytes"));
         },
         [&](bool begin) { begin ? responder->Begin() : responder->End(); });
  spdlog::info("stdin closed: shutting down (running jobs continue in the runner)");
  server.notifications().CloseAll();
  session.Shutdown();
  if (tally) tally->Shutdown();
  (*host)->Shutdown();
  return 0;
}

}  // namespace baton
