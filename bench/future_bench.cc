// Scenarios 6-8 measure features that land in their own issues. Each checks for its feature at
// run time (or build time, for the policy library) and prints "not available yet" until then.
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "bench/scenarios.h"

extern char** environ;

namespace baton::bench {

namespace {

std::string HelpOf(const std::string& baton, const std::string& command) {
  std::string cmd = baton + " " + command + " --help 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

}  // namespace

int EventsScenario(const Options& o) {
  Env env = EnvFrom(o);
  // TODO(bench, NATS issue): once `baton runner --nats URL` exists, start nats-server -js on a free
  // loopback port, fill the outbox with 20,000 events (finished /bin/true jobs), start the runner
  // with --nats and time until the stream holds them all (target >= 20,000/s; baseline: raw
  // JetStream publishes of the same messages with nats.c); then job end -> subscriber receipt
  // p50/p99 over 200 jobs (target p99 <= 20 ms; baseline: publish -> receipt on the same server).
  if (HelpOf(env.baton, "runner").find("--nats") == std::string::npos) {
    EmitUnavailable(6, "events drain rate to JetStream", "`baton runner` has no --nats flag");
    EmitUnavailable(6, "job end -> subscriber p50/p99", "`baton runner` has no --nats flag");
    return 0;
  }
  EmitUnavailable(6, "events drain rate to JetStream", "--nats exists; the scenario is still a TODO");
  return 0;
}

#ifdef BATON_BENCH_HAVE_POLICY
int PolicyBench(const Options& o);  // policy_bench.cc
#endif

int PolicyScenario(const Options& o) {
#ifdef BATON_BENCH_HAVE_POLICY
  return PolicyBench(o);
#else
  (void)o;
  EmitUnavailable(7, "policy evaluation, default policy", "policy/policy.h (CompilePolicy, Decide) not built");
  EmitUnavailable(7, "policy evaluation, 50 rules", "policy/policy.h (CompilePolicy, Decide) not built");
  return 0;
#endif
}

int HttpScenario(const Options& o) {
  Env env = EnvFrom(o);
  if (HelpOf(env.baton, "serve").find("--http") == std::string::npos) {
    EmitUnavailable(8, "HTTP status, 16 clients", "`baton serve` has no --http flag");
    return 0;
  }
  // The HTTP client lives in its own binary beside this one (only it compiles httplib.h).
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string http = (self.parent_path() / "baton_bench_http").string();
  if (ec || access(http.c_str(), X_OK) != 0) {
    EmitUnavailable(8, "HTTP status, 16 clients", "baton_bench_http was not built");
    return 0;
  }
  std::vector<std::string> args = {http};
  for (const auto& [k, v] : o.values) {
    args.push_back("--" + k);
    if (!v.empty()) args.push_back(v);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, http.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return 1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace baton::bench
