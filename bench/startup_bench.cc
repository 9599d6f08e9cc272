// Scenario 4: start-up and footprint. exec -> `initialize` answered over stdio (p50); idle RSS of
// the front-end and of the runner; their RSS with 10,000 queued jobs. Baseline: the same for a
// minimal C++ program (bench_stamp --echo) that answers one line per line.
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {

const std::string kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"baton-bench","version":"1"}}})"
    "\n";

// exec -> first response line, in ms.
double TimeToInitialize(const std::vector<std::string>& argv, const std::string& log) {
  int64_t t0 = NowNs();
  Child c = Child::Spawn(argv, log);
  if (!c.ok() || !c.Write(kInit)) return -1;
  auto line = c.ReadLine(10000);
  int64_t t1 = NowNs();
  c.Finish();
  return line ? static_cast<double>(t1 - t0) / 1e6 : -1;
}

// Pss and anonymous kB of pid (smaps_rollup): how much of the RSS is the process's own.
nlohmann::json Breakdown(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
  nlohmann::json j = nlohmann::json::object();
  std::string line;
  while (std::getline(f, line)) {
    std::optional<long> kb = ProcKb(line);
    if (!kb) continue;
    std::string k = line.substr(0, line.find(':'));
    if (k == "Pss" || k == "Anonymous" || k == "Pss_File") j[k + "_kB"] = *kb;
  }
  return j;
}

void EmitRss(const std::string& name, pid_t pid, long base_kb, std::optional<double> goal_mb) {
  long kb = RssKb(pid);
  Figure f;
  f.scenario = 4;
  f.name = name;
  f.value = static_cast<double>(kb) / 1024.0;
  f.unit = "MB";
  f.baseline_name = "minimal C++ line echo";
  f.baseline = static_cast<double>(base_kb) / 1024.0;
  if (goal_mb) f.target = Target{"<=", *goal_mb, false};
  f.extra = Breakdown(pid);
  Emit(f);
}

}  // namespace

int StartupScenario(const Options& o) {
  Env env = EnvFrom(o);
  if (env.stamp.empty()) {
    fprintf(stderr, "bench: --stamp PATH (the bench_stamp helper) is required\n");
    return 2;
  }
  bool smoke = o.Has("smoke");
  long samples = o.Int("n", smoke ? 3 : 30);
  long queued = o.Int("queued", smoke ? 200 : 10000);
  std::string db = FreshDb(env, "s4");
  std::vector<std::string> serve = {env.baton, "serve", "--stdio", "--db", db, "--log-level", "warn",
                                    "--runner-idle-exit", "5"};
  std::vector<std::string> echo = {env.stamp, "--echo"};
  TimeToInitialize(serve, db + ".serve.log");  // creates the database: not a sample
  std::vector<double> t, tb;
  for (long i = 0; i < samples; ++i) {
    double a = TimeToInitialize(serve, db + ".serve.log");
    double b = TimeToInitialize(echo, "/dev/null");
    if (a >= 0) t.push_back(a);
    if (b >= 0) tb.push_back(b);
  }
  Figure f;
  f.scenario = 4;
  f.name = "exec -> initialize answered p50";
  f.value = Percentile(t, 0.5);
  f.unit = "ms";
  f.baseline_name = "exec -> first line of a minimal C++ echo";
  f.baseline = Percentile(tb, 0.5);
  f.target = Target{"<=", 20, false};
  f.extra = {{"samples", t.size()}, {"p90_ms", Percentile(t, 0.9)}};
  Emit(f);

  // Footprint.
  Child e = Child::Spawn(echo, "/dev/null");
  e.Write("x\n");
  e.ReadLine(5000);
  long base_kb = RssKb(e.pid());
  McpClient c = StartServe(env, db, {"--runner-idle-exit", "30"});
  if (!c.Initialize()) return 1;
  c.Call("tools/list", json::object());
  auto s = Structured(c.CallTool("enqueue", {{"command", {"/bin/true"}}}));
  if (s) c.CallTool("status", {{"job_id", (*s)["job_id"]}, {"wait_seconds", 10}});
  usleep(300000);
  pid_t runner = RunnerPid(db);
  EmitRss("idle RSS, front-end (serve --stdio)", c.child().pid(), base_kb, 10);
  EmitRss("idle RSS, runner", runner, base_kb, 10);

  // Queued jobs in a paused queue: the runner sees them but may not start them.
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_busy_timeout(h, 5000);
  sqlite3_exec(h, "INSERT OR REPLACE INTO queues(name, paused) VALUES('bench-paused', 1)", nullptr,
               nullptr, nullptr);
  sqlite3_close(h);
  json args = {{"command", {"/bin/true"}}, {"queue", "bench-paused"}};
  int64_t first = c.NextId();
  for (long i = 1; i < queued; ++i) c.NextId();
  std::thread writer([&] {
    std::string batch;
    for (long i = 0; i < queued; ++i) batch += McpClient::ToolLine(first + i, "enqueue", args);
    c.child().Write(batch);
  });
  for (long i = 0; i < queued; ++i)
    if (!c.child().ReadLine(60000)) break;
  writer.join();
  usleep(300000);
  std::string label = std::to_string(queued) + " queued";
  EmitRss("RSS with " + label + ", front-end", c.child().pid(), base_kb, std::nullopt);
  EmitRss("RSS with " + label + ", runner", runner, base_kb, std::nullopt);
  e.Finish();
  c.child().Finish();
  StopRunner(db);
  return 0;
}

}  // namespace baton::bench
