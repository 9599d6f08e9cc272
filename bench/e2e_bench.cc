// Scenario 2: end to end. N `/bin/true` jobs enqueued over MCP stdio (pipelined) until all have
// succeeded, at concurrency 1 and 2. Baseline: a posix_spawn + waitpid loop keeping the same
// number of `/bin/true` processes in flight.
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "bench/scenarios.h"

extern char** environ;

namespace baton::bench {

using nlohmann::json;

double SpawnLoopPerSecond(long n, int concurrency) {
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  long started = 0, done = 0;
  int in_flight = 0;
  int64_t t0 = NowNs();
  while (done < n) {
    while (in_flight < concurrency && started < n) {
      pid_t pid;
      if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) return 0;
      ++started;
      ++in_flight;
    }
    int status;
    if (waitpid(-1, &status, 0) > 0) {
      --in_flight;
      ++done;
    }
  }
  return static_cast<double>(n) / Seconds(NowNs() - t0);
}

std::string FreshDb(const Env& env, const std::string& name) {
  std::string dir = env.workdir + "/" + name;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  return dir + "/baton.db";
}

int EndToEndScenario(const Options& o) {
  Env env = EnvFrom(o);
  bool smoke = o.Has("smoke");
  long n = o.Int("n", smoke ? 50 : 2000);
  for (int conc : {1, 2}) {
    double base = SpawnLoopPerSecond(n, conc);
    std::string db = FreshDb(env, "s2-c" + std::to_string(conc));
    McpClient c = StartServe(env, db, {"--concurrency", std::to_string(conc), "--runner-idle-exit", "2"});
    if (!c.Initialize()) {
      fprintf(stderr, "bench: serve did not answer initialize (see %s.serve.log)\n", db.c_str());
      return 1;
    }
    json args = {{"command", {"/bin/true"}}};
    int64_t first = c.NextId();
    for (long i = 1; i < n; ++i) c.NextId();
    int64_t t0 = NowNs();
    std::thread writer([&] {
      std::string batch;
      for (long i = 0; i < n; ++i) {
        batch += McpClient::ToolLine(first + i, "enqueue", args);
        if (batch.size() > 60000 || i + 1 == n) {
          if (!c.child().Write(batch)) return;
          batch.clear();
        }
      }
    });
    long acked = 0;
    for (long i = 0; i < n; ++i) {
      auto line = c.child().ReadLine(60000);
      if (!line) break;
      if (Structured(json::parse(*line, nullptr, false))) ++acked;
    }
    writer.join();
    int64_t t_enq = NowNs();
    // Bounded wait for every job to succeed (or fail: counted apart).
    int64_t finished = 0, succeeded = 0;
    int64_t deadline = NowNs() + static_cast<int64_t>(std::max<long>(60, n / 20)) * 1000000000LL;
    while (NowNs() < deadline) {
      finished = QueryInt(db, "SELECT count(*) FROM jobs WHERE finished_ms IS NOT NULL");
      if (finished >= acked) break;
      usleep(2000);
    }
    int64_t t1 = NowNs();
    succeeded = QueryInt(db, "SELECT count(*) FROM jobs WHERE state = 'succeeded'");
    Figure f;
    f.scenario = 2;
    f.name = "end to end /bin/true, concurrency " + std::to_string(conc);
    f.value = static_cast<double>(succeeded) / Seconds(t1 - t0);
    f.unit = "jobs/s";
    f.baseline_name = "posix_spawn+waitpid, " + std::to_string(conc) + " in flight";
    f.baseline = base;
    f.target = Target{">=", 0.7, true};
    f.extra = {{"n", n}, {"acked", acked}, {"succeeded", succeeded}, {"finished", finished},
               {"enqueue_s", Seconds(t_enq - t0)}, {"total_s", Seconds(t1 - t0)}};
    Emit(f);
    c.child().Finish();
    StopRunner(db);
  }
  return 0;
}

}  // namespace baton::bench
