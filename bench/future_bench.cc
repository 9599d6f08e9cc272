// Scenarios 6-8: events and HTTP run in sibling binaries (events_bench.cc, http_bench.cc); the
// policy scenario is compiled in when the policy library exists.
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

// Scenarios 6 and 8 live in their own binaries beside this one (only they link nats.c or
// cpp-httplib): runs `name` with the same options. 0 with a "not available" figure when missing.
int RunSibling(const std::string& name, const Options& o, int scenario, const std::string& figure) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string path = (self.parent_path() / name).string();
  if (ec || access(path.c_str(), X_OK) != 0) {
    EmitUnavailable(scenario, figure, name + " was not built");
    return 0;
  }
  std::vector<std::string> args = {path};
  for (const auto& [k, v] : o.values) {
    args.push_back("--" + k);
    if (!v.empty()) args.push_back(v);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return 1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int EventsScenario(const Options& o) {
  return RunSibling("baton_bench_events", o, 6, "events drained to JetStream");
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
  return RunSibling("baton_bench_http", o, 8, "HTTP status, 16 clients");
}

}  // namespace baton::bench
