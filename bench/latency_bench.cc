// Scenario 3: scheduling latency on an idle runner. Enqueue (over MCP stdio) a job that writes
// CLOCK_MONOTONIC as its first act (bench_stamp); latency = that stamp - the time just before the
// enqueue request was written. Then the start accuracy of delayed jobs: stamp - (enqueue time +
// delay). Baselines: posix_spawn of the same helper (latency) and clock_nanosleep to an absolute
// deadline + posix_spawn (accuracy).
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/scenarios.h"

extern char** environ;

namespace baton::bench {

using nlohmann::json;

namespace {

int64_t ReadStamp(const std::string& path) {
  std::ifstream f(path);
  long long ns = -1;
  f >> ns;
  return ns;
}

// Spawns `stamp file`, waits for it, returns its stamp (or -1).
int64_t SpawnStamp(const std::string& stamp, const std::string& file) {
  std::vector<char*> argv = {const_cast<char*>(stamp.c_str()), const_cast<char*>(file.c_str()), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, stamp.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status;
  waitpid(pid, &status, 0);
  return ReadStamp(file);
}

void SleepUntil(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace

std::vector<double> SpawnStampLatencies(const std::string& stamp, const std::string& dir, long n) {
  std::vector<double> base;
  for (long i = 0; i < n; ++i) {
    std::string file = dir + "/base-" + std::to_string(i);
    int64_t t0 = NowNs();
    int64_t s = SpawnStamp(stamp, file);
    if (s > 0) base.push_back(static_cast<double>(s - t0) / 1e6);
  }
  return base;
}

namespace {

void EmitLatency(const std::string& name, std::vector<double> v, std::vector<double> base,
                 double q, std::optional<double> goal, const json& extra) {
  Figure f;
  f.scenario = 3;
  f.name = name;
  f.value = Percentile(v, q);
  f.unit = "ms";
  f.baseline_name = "posix_spawn of the same helper";
  f.baseline = Percentile(base, q);
  if (goal) f.target = Target{"<=", *goal, false};
  f.extra = extra;
  Emit(f);
}

}  // namespace

int LatencyScenario(const Options& o) {
  Env env = EnvFrom(o);
  if (env.stamp.empty()) {
    fprintf(stderr, "bench: --stamp PATH (the bench_stamp helper) is required\n");
    return 2;
  }
  bool smoke = o.Has("smoke");
  long n = o.Int("n", smoke ? 20 : 300);
  long n_delayed = o.Int("n-delayed", smoke ? 5 : 50);
  std::string db = FreshDb(env, "s3");
  std::string stamps = std::filesystem::path(db).parent_path().string() + "/stamps";
  std::filesystem::create_directories(stamps);

  // Baseline: the same helper started directly.
  std::vector<double> base = SpawnStampLatencies(env.stamp, stamps, n);

  McpClient c = StartServe(env, db, {"--runner-idle-exit", "30", "--concurrency", "2"});
  if (!c.Initialize()) {
    fprintf(stderr, "bench: serve did not answer initialize (see %s.serve.log)\n", db.c_str());
    return 1;
  }
  // Warm up: the first enqueue starts the runner (not part of idle latency).
  {
    auto s = Structured(c.CallTool("enqueue", {{"command", {env.stamp, stamps + "/warm"}}}));
    if (s) c.CallTool("status", {{"job_id", (*s)["job_id"]}, {"wait_seconds", 10}});
  }
  std::vector<double> lat;
  long missing = 0;
  for (long i = 0; i < n; ++i) {
    usleep(5000);  // the runner is back in poll(): idle
    std::string file = stamps + "/job-" + std::to_string(i);
    int64_t t0 = NowNs();
    auto s = Structured(c.CallTool("enqueue", {{"command", {env.stamp, file}}}));
    if (!s) {
      ++missing;
      continue;
    }
    c.CallTool("status", {{"job_id", (*s)["job_id"]}, {"wait_seconds", 10}});
    int64_t stamp = ReadStamp(file);
    if (stamp > 0) lat.push_back(static_cast<double>(stamp - t0) / 1e6); else ++missing;
  }
  json extra = {{"samples", lat.size()}, {"missing", missing}};
  EmitLatency("idle start latency p50", lat, base, 0.5, 1.5, extra);
  EmitLatency("idle start latency p90", lat, base, 0.9, std::nullopt, extra);
  EmitLatency("idle start latency p99", lat, base, 0.99, 3.0, extra);

  // Delayed jobs: staggered so that each start is its own wake-up.
  std::vector<double> err, base_err;
  std::vector<std::pair<int64_t, std::string>> expected;
  std::vector<int64_t> ids;
  for (long i = 0; i < n_delayed; ++i) {
    double delay = 0.2 + 0.03 * static_cast<double>(i);
    std::string file = stamps + "/delayed-" + std::to_string(i);
    int64_t t0 = NowNs();
    auto s = Structured(c.CallTool("enqueue", {{"command", {env.stamp, file}}, {"delay_seconds", delay}}));
    if (!s) continue;
    expected.emplace_back(t0 + static_cast<int64_t>(delay * 1e9), file);
    ids.push_back((*s)["job_id"].get<int64_t>());
  }
  for (size_t k = 0; k < ids.size(); k += 100) {
    std::vector<int64_t> chunk(ids.begin() + k, ids.begin() + std::min(ids.size(), k + 100));
    c.CallTool("status", {{"job_ids", chunk}, {"wait_seconds", 60}}, 70000);
  }
  for (auto& [when, file] : expected) {
    int64_t stamp = ReadStamp(file);
    if (stamp > 0) err.push_back(static_cast<double>(stamp - when) / 1e6);
  }
  for (long i = 0; i < n_delayed; ++i) {
    std::string file = stamps + "/base-delayed-" + std::to_string(i);
    int64_t when = NowNs() + 20000000;
    SleepUntil(when);
    int64_t stamp = SpawnStamp(env.stamp, file);
    if (stamp > 0) base_err.push_back(static_cast<double>(stamp - when) / 1e6);
  }
  for (double q : {0.5, 0.99}) {
    Figure f;
    f.scenario = 3;
    f.name = std::string("delayed job start error p") + (q == 0.5 ? "50" : "99");
    f.value = Percentile(err, q);
    f.unit = "ms";
    f.baseline_name = "clock_nanosleep + posix_spawn";
    f.baseline = Percentile(base_err, q);
    f.extra = {{"samples", err.size()}, {"min_ms", err.empty() ? 0 : *std::min_element(err.begin(), err.end())}};
    Emit(f);
  }
  c.child().Finish();
  StopRunner(db);
  return 0;
}

}  // namespace baton::bench
