// `baton runner`: executes the jobs of one database until idle (or forever).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <set>

#include "server/cli/commands.h"
#include "server/cli/event_flags.h"
#include "server/cli/flags.h"
#include "server/cli/logging.h"
#include "server/runner/runner.h"
#include "server/guard/runner_policy.h"
#include "server/cli/serve_flags.h"
#include "server/jobs/state_paths.h"
#include "storage/wal_checkpointer.h"

namespace baton {

namespace {
Runner* g_runner = nullptr;
void OnSignal(int) {
  if (g_runner) g_runner->Shutdown();
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
  auto paths = ResolveStatePaths(flags->Get("db").value_or(DefaultDbPath()));
  if (!paths.ok()) {
    spdlog::error("{}", paths.status().ToString());
    return 1;
  }
  auto store = JobStore::Open(paths->db);
  if (!store.ok()) {
    spdlog::error("{}", store.status().ToString());
    return 1;
  }
  PolicyOptions policy_options;
  if (Status s = ApplyPolicyFlags(*flags, &policy_options); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  auto policy = OpenRunnerPolicy(**store, paths->db, policy_options);
  if (!policy.ok()) {
    spdlog::error("policy: {}", policy.status().ToString());
    return 2;
  }
  RunnerOptions ro;
  ro.job_checker = policy->guard.get();
  ro.concurrency = static_cast<int>(*conc);
  ro.idle_exit_ms = static_cast<int64_t>(*idle * 1000);
  ro.retention_ms = static_cast<int64_t>(*retention * 24 * 3600 * 1000);
  std::atomic<EventDrainer*> drainer_to_wake{nullptr};
  ro.on_events = [&drainer_to_wake] {
    if (EventDrainer* d = drainer_to_wake.load()) d->Wake();
  };
  Runner runner(**store, *paths, ro, SystemClock::Instance());
  Status acquired = runner.Acquire(static_cast<int>(*lock_wait * 1000));
  if (!acquired.ok()) {
    spdlog::info("{}; exiting", acquired.message());
    return 0;
  }
  g_runner = &runner;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  // Events reach NATS JetStream through the outbox; job execution never waits on it.
  std::unique_ptr<EventDrainer> drainer;
  auto nats = NatsOptionsFromFlags(*flags);
  if (!nats.ok()) {
    spdlog::error("{}", nats.status().message());
    return 2;
  }
  if (*nats) {
    auto started = StartEventDrainer(**store, **nats);
    if (!started.ok()) {
      spdlog::error("events: {}", started.status().ToString());
      return 2;
    }
    drainer = std::move(started).value();
    drainer_to_wake.store(drainer.get());
    spdlog::info("publishing events to {}", (*nats)->url);
  }
  // WAL checkpoints off the claim/commit paths (storage/wal_checkpointer.h).
  auto checkpointer = WalCheckpointer::Start(paths->db);
  if (!checkpointer.ok()) spdlog::warn("wal checkpoints: {}", checkpointer.status().ToString());
  runner.Run();
  drainer_to_wake.store(nullptr);
  if (drainer) {
    // The last job's events (its end) were written just before the idle exit: send them now
    // rather than leave them for the next runner, which may start much later (issue 5).
    if (!drainer->Flush(kDrainBeforeExitMs))
      spdlog::warn("events: outbox not drained within {} ms before exit (NATS unreachable?); the "
                   "next runner sends the rest", kDrainBeforeExitMs);
    drainer->Shutdown();
  }
  g_runner = nullptr;
  spdlog::info("runner {} stopped", runner.id());
  return 0;
}

}  // namespace baton
