// `baton runner`: executes the jobs of one database until idle (or forever).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <set>

#include "server/background_host.h"
#include "server/cli/commands.h"
#include "server/cli/event_flags.h"
#include "server/cli/flags.h"
#include "server/cli/logging.h"
#include "server/cli/serve_flags.h"
#include "server/jobs/state_paths.h"

namespace baton {

namespace {
BackgroundHost* g_host = nullptr;
void OnSignal(int) {
  if (g_host) g_host->StopSoon();
}
}  // namespace

int RunnerCommand(const Args& args) {
  std::set<std::string> valued = {"db", "idle-exit", "lock-wait", "concurrency", "retention-days",
                                  "log-level", "log-file"};
  valued.insert(EventFlagNames().begin(), EventFlagNames().end());
  for (const std::string& name : PolicyFlagNames()) valued.insert(name);
  auto flags = ParseFlags(args, valued,
                          {"help"});
  if (!flags.ok() || flags->Has("help")) {
    fprintf(stderr, "%susage: baton runner [--db PATH] [--concurrency N] [--idle-exit SECONDS]\n"
                    "       [--lock-wait SECONDS] [--retention-days D (default 14; 0 keeps all)]\n"
                    "       [--log-level info] [--log-file FILE]\n"
                    "       [--policy DIR] [--policy-data FILE] [--policy-query data.baton]\n"
                    "       [--opa-url URL] [--opa-timeout-ms N]  (checks the jobs it creates)\n",
            flags.ok() ? "" : (flags.status().message() + "\n").c_str());
    return flags.ok() ? 0 : 2;
  }
  if (Status s = SetUpLogging(flags->Get("log-level").value_or("info"),
                              flags->Get("log-file").value_or(""), "runner");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  // Ranges keep the casts below defined (a double beyond int64 is undefined behaviour).
  auto idle = flags->Number("idle-exit", 0, 0, 365 * 86400.0);
  auto lock_wait = flags->Number("lock-wait", 0, 0, 86400);
  auto conc = flags->Integer("concurrency", kDefaultRunnerConcurrency, 0, 10000);
  auto retention = flags->Number("retention-days", kDefaultRetentionDays, 0, 36500);
  for (const Status* st : {&idle.status(), &lock_wait.status(), &conc.status(), &retention.status()})
    if (!st->ok()) {
      fprintf(stderr, "baton: %s\n", st->message().c_str());
      return 2;
    }
  BackgroundHostOptions ho;
  ho.db_path = flags->Get("db").value_or(DefaultDbPath());
  ho.hosting = RunnerHosting::kForeground;
  ho.lock_wait_ms = static_cast<int>(*lock_wait * 1000);
  ho.runner.concurrency = static_cast<int>(*conc);
  ho.runner.idle_exit_ms = static_cast<int64_t>(*idle * 1000);
  ho.runner.retention_ms = static_cast<int64_t>(*retention * 24 * 3600 * 1000);
  if (Status s = ApplyPolicyFlags(*flags, &ho.policy); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  auto nats = NatsOptionsFromFlags(*flags);
  if (!nats.ok()) {
    spdlog::error("{}", nats.status().message());
    return 2;
  }
  ho.nats = *nats;
  auto host = BackgroundHost::Open(std::move(ho));
  if (!host.ok()) {
    spdlog::error("{}", host.status().ToString());
    return 1;
  }
  if (Status s = (*host)->Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  if (!(*host)->hosts_runner()) return 0;  // another runner keeps the lock (logged)
  g_host = host->get();
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  (*host)->Run();  // until the idle exit or a signal
  g_host = nullptr;
  (*host)->Shutdown();  // flushes the last job's events to NATS (server/background_host.h)
  spdlog::info("runner {} stopped", (*host)->runner_id());
  return 0;
}

}  // namespace baton
