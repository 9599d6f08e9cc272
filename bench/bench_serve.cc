// bench_serve: `baton serve --stdio` whose store is opened with synchronous=FULL, for scenario 1
// until `baton serve` grows a --synchronous flag. It assembles the same parts as FrontEnd::Open
// and ServeCommand (store, runner control, watcher, job service, the four tools, one MCP session
// over stdio); the runner it starts on demand is the real `baton runner` (--runner PATH).
//   bench_serve --db PATH --synchronous full|normal --runner BATON [--runner-idle-exit S]
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "base/clock.h"
#include "base/random_id.h"
#include "server/job_service.h"
#include "server/job_watcher.h"
#include "server/mcp_session.h"
#include "server/runner_control.h"
#include "server/state_paths.h"
#include "storage/job_store.h"
#include "tools/register_tools.h"
#include "transport/jsonrpc.h"
#include "transport/stdio_transport.h"

namespace {

class StdioResponder final : public baton::Responder {
 public:
  explicit StdioResponder(baton::transport::StdioTransport& io) : io_(io) {}
  void Respond(const nlohmann::json& m) override { io_.Write(m); }
  void Notify(const nlohmann::json& m) override { io_.Write(m); }

 private:
  baton::transport::StdioTransport& io_;
};

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace baton;
  auto logger = std::make_shared<spdlog::logger>("bench_serve", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  signal(SIGPIPE, SIG_IGN);
  auto paths = ResolveStatePaths(Arg(argc, argv, "db", "bench.db"));
  if (!paths.ok()) return 1;
  StoreOptions so;
  so.synchronous_full = Arg(argc, argv, "synchronous", "normal") == "full";
  auto store = JobStore::Open(paths->db, so);
  if (!store.ok()) {
    fprintf(stderr, "bench_serve: %s\n", store.status().ToString().c_str());
    return 1;
  }
  RunnerLaunch launch{Arg(argc, argv, "runner", "baton"),
                      {"--idle-exit", Arg(argc, argv, "runner-idle-exit", "30")}, true};
  RunnerControl control(*paths, launch);
  JobWatcher watcher(**store);
  if (!watcher.Start(paths->bell_prefix + std::to_string(getpid()) + "-" + RandomHexId(4)).ok()) return 1;
  ServiceOptions service_options;
  service_options.base_cwd = std::filesystem::current_path().string();
  JobService service(**store, control, watcher, SystemClock::Instance(), service_options);
  McpServer server("baton", "bench", "bench_serve");
  tools::RegisterJobTools(server, service);
  transport::StdioTransport io(STDIN_FILENO, STDOUT_FILENO, 4 << 20);
  auto responder = std::make_shared<StdioResponder>(io);
  McpSession session(server, {RandomHexId(16), "stdio", "bench"});
  io.Run([&](std::string&& frame) { session.HandleFrame(frame, responder); }, [](size_t) {});
  session.Shutdown();
  watcher.Shutdown();
  return 0;
}
