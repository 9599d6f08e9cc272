// Scenario 1: enqueue throughput over MCP stdio, durable (acknowledged = committed), sequential
// and pipelined, with synchronous=NORMAL and FULL. Baseline: one-row SQLite transactions on the
// same disk with the same settings.
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {
constexpr const char* kPausedQueue = "bench-paused";
}  // namespace

// One-row transactions, as a store that commits every acknowledged enqueue must do at least.
double SqliteCommitsPerSecond(const std::string& dir, bool full, long n) {
  std::string path = dir + "/baseline.db";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const char* sfx : {"", "-wal", "-shm"}) std::filesystem::remove(path + sfx, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 0;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", nullptr, nullptr,
               nullptr);
  sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)", nullptr, nullptr, nullptr);
  sqlite3_stmt *begin, *ins, *commit;
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES(?)", -1, &ins, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  const std::string payload = R"({"command":["/bin/true"],"queue":"bench-paused"})";
  int64_t t0 = NowNs();
  for (long i = 0; i < n; ++i) {
    sqlite3_step(begin);
    sqlite3_reset(begin);
    sqlite3_bind_text(ins, 1, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_step(commit);
    sqlite3_reset(commit);
  }
  double rate = static_cast<double>(n) / Seconds(NowNs() - t0);
  sqlite3_finalize(begin);
  sqlite3_finalize(ins);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  return rate;
}

namespace {

struct EnqueueRun {
  double rate = 0;
  long acked = 0, committed = 0, errors = 0;
};

EnqueueRun RunEnqueue(McpClient& c, const std::string& db, long n, bool pipelined) {
  EnqueueRun r;
  // Delayed by a day: the jobs are durable and pending, and the runner (rung by every enqueue,
  // as in real use) finds nothing to start. A paused queue would not do: every claim scans a
  // paused queue's whole backlog (reported apart, see README).
  json args = {{"command", {"/bin/true"}}, {"queue", kPausedQueue}, {"delay_seconds", 86400}};
  int64_t before = QueryInt(db, std::string("SELECT count(*) FROM jobs WHERE queue='") + kPausedQueue + "'");
  int64_t t0 = NowNs();
  if (!pipelined) {
    for (long i = 0; i < n; ++i) {
      auto s = Structured(c.CallTool("enqueue", args));
      if (s && s->contains("job_id")) ++r.acked; else ++r.errors;
    }
  } else {
    int64_t first = c.NextId();
    for (long i = 1; i < n; ++i) c.NextId();
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
    for (long i = 0; i < n; ++i) {
      auto line = c.child().ReadLine(60000);
      if (!line) {
        r.errors += n - i;
        break;
      }
      json j = json::parse(*line, nullptr, false);
      if (!j.contains("id")) { --i; continue; }  // a notification
      auto s = Structured(j);
      if (s && s->contains("job_id")) ++r.acked; else ++r.errors;
    }
    writer.join();
  }
  r.rate = static_cast<double>(r.acked) / Seconds(NowNs() - t0);
  r.committed = QueryInt(db, std::string("SELECT count(*) FROM jobs WHERE queue='") + kPausedQueue + "'") - before;
  return r;
}

}  // namespace

int EnqueueScenario(const Options& o) {
  Env env = EnvFrom(o);
  bool smoke = o.Has("smoke");
  long n_normal = o.Int("n", smoke ? 300 : 20000);
  long n_full = o.Int("n-full", smoke ? 100 : 3000);
  for (bool full : {false, true}) {
    const char* mode = full ? "FULL" : "NORMAL";
    long n = full ? n_full : n_normal;
    std::string dir = env.workdir + "/s1-" + (full ? "full" : "normal");
    std::string db = dir + "/baton.db";
    RemoveDb(db);
    std::filesystem::create_directories(dir);
    double base = SqliteCommitsPerSecond(env.workdir + "/s1-baseline", full, n);
    std::vector<std::string> extra = {"--runner-idle-exit", "2"};
    Env serve_env = env;
    if (full) extra.insert(extra.end(), {"--synchronous", "full"});
    McpClient c = StartServe(serve_env, db, extra);
    if (!c.Initialize()) {
      fprintf(stderr, "bench: serve did not answer initialize (see %s.serve.log)\n", db.c_str());
      return 1;
    }
    // The queue is paused as well, so that no job runs even if its delay ran out.
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    sqlite3_busy_timeout(h, 5000);
    sqlite3_exec(h, "INSERT OR REPLACE INTO queues(name, paused) VALUES('bench-paused', 1)", nullptr,
                 nullptr, nullptr);
    sqlite3_close(h);
    std::string sync = std::string("synchronous=") + mode;
    for (bool pipelined : {false, true}) {
      EnqueueRun r = RunEnqueue(c, db, n, pipelined);
      Figure f;
      f.scenario = 1;
      f.name = std::string("enqueue ") + (pipelined ? "pipelined" : "sequential") + " (" + mode + ")";
      f.value = r.rate;
      f.unit = "jobs/s";
      f.baseline_name = std::string("one-row SQLite commits, ") + mode;
      f.baseline = base;
      double goal = pipelined ? 40000 : (full ? 4500 : 20000);
      f.target = Target{">=", goal, false};
      f.extra = {{"n", n}, {"acked", r.acked}, {"committed", r.committed}, {"errors", r.errors},
                 {"server", serve_env.baton}};
      if (r.committed < r.acked) f.extra["durability_violation"] = true;
      Emit(f);
    }
    c.child().Finish();
    StopRunner(db);
  }
  return 0;
}

}  // namespace baton::bench
