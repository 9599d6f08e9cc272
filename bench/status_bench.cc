// Scenario 5: `status` latency with 1,000,000 jobs in the database, p50/p99, and a `jobs` page
// likewise when the `jobs` tool exists. The database is prefilled in one SQLite transaction
// (INSERT ... SELECT over a recursive CTE, copying a job that baton itself wrote) and kept for
// the next run. Baseline: an MCP `ping` round trip on the same session (the transport's floor);
// the raw SQLite point read is reported alongside.
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {

bool Exec(sqlite3* h, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return true;
  fprintf(stderr, "bench: prefill: %s\n", err ? err : "?");
  sqlite3_free(err);
  return false;
}

// Makes db hold `n` finished jobs. Reuses a database a previous run filled.
bool Prefill(const Env& env, const std::string& db, long n) {
  if (QueryInt(db, "SELECT count(*) FROM jobs") == n) return true;
  RemoveDb(db);
  std::filesystem::create_directories(std::filesystem::path(db).parent_path());
  {
    // A template row written by baton itself, run to completion.
    McpClient c = StartServe(env, db, {"--runner-idle-exit", "1"});
    if (!c.Initialize()) return false;
    auto s = Structured(c.CallTool("enqueue", {{"command", {"/bin/true"}}, {"labels", {{"bench", "1"}}}}));
    if (!s) return false;
    c.CallTool("status", {{"job_id", (*s)["job_id"]}, {"wait_seconds", 10}});
    c.child().Finish();
    StopRunner(db);
  }
  int64_t t0 = NowNs();
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) return false;
  sqlite3_busy_timeout(h, 10000);
  const std::string cols =
      "state, queue, priority, run_at_ms, created_ms, updated_ms, started_ms, finished_ms, attempt, "
      "max_attempts, unmet_deps, spec, idempotency_key, session, principal, chain_id, chain_step, "
      "name, exit_code, signal, error, stdout_tail, stderr_tail, cancel_requested, labels";
  std::string sel =
      "CASE x % 10 WHEN 7 THEN 'failed' WHEN 9 THEN 'cancelled' ELSE 'succeeded' END, queue, "
      "priority, run_at_ms - x, created_ms - x, updated_ms - x, started_ms - x, finished_ms - x, "
      "attempt, max_attempts, unmet_deps, spec, idempotency_key, session, principal, chain_id, "
      "chain_step, name, CASE x % 10 WHEN 7 THEN 1 ELSE exit_code END, signal, error, stdout_tail, "
      "stderr_tail, cancel_requested, labels";
  bool ok = Exec(h, "PRAGMA synchronous=OFF") && Exec(h, "PRAGMA cache_size=-200000") &&
            Exec(h, "BEGIN IMMEDIATE") &&
            Exec(h, "INSERT INTO jobs(" + cols + ") WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                    "SELECT x + 1 FROM c WHERE x < " + std::to_string(n - 1) + ") SELECT " + sel +
                    " FROM c, (SELECT * FROM jobs WHERE id = 1)") &&
            Exec(h, "COMMIT") && Exec(h, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(h);
  fprintf(stderr, "  prefilled %ld jobs in %.1f s\n", n, Seconds(NowNs() - t0));
  return ok;
}

std::vector<double> SqlitePointReads(const std::string& db, long n, long samples, std::mt19937_64& rng) {
  std::vector<double> v;
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "SELECT * FROM jobs WHERE id = ?", -1, &st, nullptr);
  std::uniform_int_distribution<long> pick(1, n);
  for (long i = 0; i < samples; ++i) {
    int64_t t0 = NowNs();
    sqlite3_bind_int64(st, 1, pick(rng));
    while (sqlite3_step(st) == SQLITE_ROW) {
    }
    sqlite3_reset(st);
    v.push_back(static_cast<double>(NowNs() - t0) / 1e6);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

}  // namespace

int StatusScenario(const Options& o) {
  Env env = EnvFrom(o);
  bool smoke = o.Has("smoke");
  long n = o.Int("jobs", smoke ? 2000 : 1000000);
  long samples = o.Int("n", smoke ? 100 : 3000);
  std::string db = env.workdir + "/s5-" + std::to_string(n) + "/baton.db";
  if (!Prefill(env, db, n)) return 1;
  std::mt19937_64 rng(42);
  std::vector<double> raw = SqlitePointReads(db, n, samples, rng);

  McpClient c = StartServe(env, db, {"--runner-idle-exit", "2"});
  if (!c.Initialize()) return 1;
  auto tools = c.Call("tools/list", json::object());
  bool has_jobs_tool = false;
  if (tools && tools->contains("result"))
    for (const json& t : (*tools)["result"]["tools"]) has_jobs_tool |= t.value("name", "") == "jobs";
  std::uniform_int_distribution<long> pick(1, n);
  std::vector<double> st, ping;
  long errors = 0;
  for (long i = 0; i < samples + 50; ++i) {
    int64_t t0 = NowNs();
    auto r = Structured(c.CallTool("status", {{"job_id", pick(rng)}}));
    int64_t t1 = NowNs();
    c.Call("ping", json::object());
    int64_t t2 = NowNs();
    if (i < 50) continue;  // warm-up
    if (!r) ++errors;
    st.push_back(static_cast<double>(t1 - t0) / 1e6);
    ping.push_back(static_cast<double>(t2 - t1) / 1e6);
  }
  json extra = {{"jobs", n}, {"samples", st.size()}, {"errors", errors},
                {"sqlite_point_read_p50_ms", Percentile(raw, 0.5)},
                {"sqlite_point_read_p99_ms", Percentile(raw, 0.99)}};
  for (double q : {0.5, 0.99}) {
    Figure f;
    f.scenario = 5;
    f.name = std::string("status latency p") + (q == 0.5 ? "50" : "99") + ", " +
             std::to_string(n) + " jobs";
    f.value = Percentile(st, q);
    f.unit = "ms";
    f.baseline_name = "MCP ping round trip";
    f.baseline = Percentile(ping, q);
    if (q > 0.9) f.target = Target{"<=", 1.0, false};
    f.extra = extra;
    Emit(f);
  }
  if (!has_jobs_tool) {
    EmitUnavailable(5, "jobs page latency", "no `jobs` tool in tools/list");
  } else {
    std::vector<double> page, ping2;
    for (long i = 0; i < samples / 3 + 20; ++i) {
      int64_t t0 = NowNs();
      auto r = c.CallTool("jobs", json::object());
      int64_t t1 = NowNs();
      c.Call("ping", json::object());
      int64_t t2 = NowNs();
      if (i < 20) continue;
      page.push_back(static_cast<double>(t1 - t0) / 1e6);
      ping2.push_back(static_cast<double>(t2 - t1) / 1e6);
    }
    for (double q : {0.5, 0.99}) {
      Figure f;
      f.scenario = 5;
      f.name = std::string("jobs page (default) p") + (q == 0.5 ? "50" : "99") + ", " +
               std::to_string(n) + " jobs";
      f.value = Percentile(page, q);
      f.unit = "ms";
      f.baseline_name = "MCP ping round trip";
      f.baseline = Percentile(ping2, q);
      f.extra = {{"samples", page.size()}};
      Emit(f);
    }
  }
  c.child().Finish();
  StopRunner(db);
  return 0;
}

}  // namespace baton::bench
