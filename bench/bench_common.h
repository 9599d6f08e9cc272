// bench/bench_common.h
//
// What every benchmark scenario shares: a monotonic clock, percentiles, the result line every
// scenario prints (one JSON object per figure, with its same-run baseline, the ratio and the
// target), a child process with pipes, and an MCP client that drives `baton serve --stdio`
// (newline-delimited JSON-RPC) the way Claude Code does. Not thread-safe unless stated.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton::bench {

// CLOCK_MONOTONIC in nanoseconds (the clock bench_stamp prints, comparable across processes).
int64_t NowNs();
double Seconds(int64_t ns);

// The q-quantile (0..1) of `v` (sorted on the way), nearest rank. 0 for an empty vector.
double Percentile(std::vector<double>& v, double q);

// Command-line options of one scenario: --key value pairs and bare --flags.
struct Options {
  std::map<std::string, std::string> values;
  std::string Get(const std::string& key, const std::string& fallback = "") const;
  long Int(const std::string& key, long fallback) const;
  bool Has(const std::string& key) const { return values.count(key) > 0; }
};
Options ParseOptions(int argc, char** argv);

// A target a figure is measured against. `of_ratio`: the target applies to value/baseline.
struct Target {
  std::string op;  // ">=" or "<="
  double value = 0;
  bool of_ratio = false;
};

// One figure. Printed as one JSON line on stdout (run.sh collects them); a human-readable line
// goes to stderr at once.
struct Figure {
  int scenario = 0;
  std::string system = "baton";
  std::string name;
  double value = 0;
  std::string unit;
  std::string baseline_name;
  std::optional<double> baseline;
  std::optional<Target> target;
  nlohmann::json extra = nlohmann::json::object();
};
void Emit(const Figure& f);
// A scenario that cannot run yet (its feature has not landed): one line saying so.
void EmitUnavailable(int scenario, const std::string& name, const std::string& why);

// A child process with its stdin and stdout on pipes (stderr inherited or sent to a file).
class Child {
 public:
  // argv[0] is a path. env: extra NAME=VALUE entries on top of this process's environment.
  static Child Spawn(const std::vector<std::string>& argv, const std::string& stderr_path = "",
                     const std::vector<std::string>& env = {});
  Child() = default;
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  ~Child();

  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Writes all bytes (blocking). False when the child closed its stdin.
  bool Write(const std::string& bytes);
  // Reads one line (without the newline); nullopt on EOF or after timeout_ms (-1: forever).
  std::optional<std::string> ReadLine(int timeout_ms = 30000);
  void CloseStdin();
  // Closes stdin and waits for the exit (SIGKILL after timeout_ms). Returns the wait status.
  int Finish(int timeout_ms = 10000);

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string buf_;
};

// An MCP client over a child's stdio.
class McpClient {
 public:
  explicit McpClient(Child child) : child_(std::move(child)) {}
  // initialize + notifications/initialized. False on failure.
  bool Initialize(const std::string& protocol = "2025-11-25");
  // One request, waits for its response (skipping notifications).
  std::optional<nlohmann::json> Call(const std::string& method, const nlohmann::json& params,
                                     int timeout_ms = 60000);
  std::optional<nlohmann::json> CallTool(const std::string& tool, const nlohmann::json& args,
                                         int timeout_ms = 60000);
  // The request line of a tools/call with id `id` (for pipelining).
  static std::string ToolLine(int64_t id, const std::string& tool, const nlohmann::json& args);
  Child& child() { return child_; }
  int64_t NextId() { return next_id_++; }

 private:
  Child child_;
  int64_t next_id_ = 1;
};

// The structuredContent of a tools/call response, or nullopt when it failed or is an error.
std::optional<nlohmann::json> Structured(const std::optional<nlohmann::json>& response);

// Paths and settings shared by the scenarios.
struct Env {
  std::string baton;    // the baton executable
  std::string stamp;    // the bench_stamp helper
  std::string workdir;  // a scratch directory on the disk under test
};
Env EnvFrom(const Options& o);

// `baton serve --stdio` on db with extra flags; stderr to <db>.serve.log.
McpClient StartServe(const Env& env, const std::string& db, const std::vector<std::string>& extra);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Resident set size in kB of pid (VmRSS), or -1.
long RssKb(pid_t pid);
// The number of a "/proc/<pid>/status" or "smaps_rollup" line ("VmRSS:   1234 kB" -> 1234).
std::optional<long> ProcKb(std::string_view line);
// The pid of the runner registered in db (the newest row of `runners`), or -1.
pid_t RunnerPid(const std::string& db);
// Runs one SQL statement returning one integer on db (read-only connection), or -1.
int64_t QueryInt(const std::string& db, const std::string& sql);
// Kills the runner of db (SIGTERM, waits up to 5 s) so the next scenario starts clean.
void StopRunner(const std::string& db);
// Removes db and its -wal/-shm files and the state dir beside it.
void RemoveDb(const std::string& db);

}  // namespace baton::bench
