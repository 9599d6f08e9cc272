#include "bench/bench_common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/parse_number.h"

extern char** environ;

namespace baton::bench {

using nlohmann::json;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string Options::Get(const std::string& key, const std::string& fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

long Options::Int(const std::string& key, long fallback) const {
  auto it = values.find(key);
  if (it == values.end()) return fallback;
  auto n = ParseInt64(it->second, "--" + key);
  if (!n.ok()) {
    std::fprintf(stderr, "%s\n", n.status().message().c_str());
    std::exit(2);
  }
  return static_cast<long>(*n);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) continue;
    a = a.substr(2);
    if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      o.values[a] = argv[++i];
    } else {
      o.values[a] = "";
    }
  }
  return o;
}

void Emit(const Figure& f) {
  json j = {{"scenario", f.scenario}, {"system", f.system}, {"name", f.name},
            {"value", f.value},       {"unit", f.unit}};
  std::optional<double> ratio;
  if (f.baseline) {
    j["baseline"] = {{"name", f.baseline_name}, {"value", *f.baseline}};
    if (*f.baseline != 0) ratio = f.value / *f.baseline;
    if (ratio) j["ratio"] = *ratio;
  }
  std::string verdict = "no target";
  if (f.target) {
    double x = f.target->of_ratio ? ratio.value_or(NAN) : f.value;
    bool met = f.target->op == ">=" ? x >= f.target->value : x <= f.target->value;
    j["target"] = {{"op", f.target->op}, {"value", f.target->value}, {"of", f.target->of_ratio ? "ratio" : "value"}};
    j["met"] = met;
    verdict = met ? "target met" : "target NOT met";
    verdict += " (" + std::string(f.target->of_ratio ? "ratio " : "") + f.target->op + " " +
               std::to_string(f.target->value) + ")";
  }
  if (!f.extra.empty()) j["extra"] = f.extra;
  printf("%s\n", j.dump().c_str());
  fflush(stdout);
  fprintf(stderr, "  [%d] %-52s %12.3f %-8s", f.scenario, f.name.c_str(), f.value, f.unit.c_str());
  if (f.baseline)
    fprintf(stderr, " | baseline %.3f (%s) ratio %.3f", *f.baseline, f.baseline_name.c_str(),
            ratio.value_or(NAN));
  fprintf(stderr, " | %s\n", verdict.c_str());
}

void EmitUnavailable(int scenario, const std::string& name, const std::string& why) {
  json j = {{"scenario", scenario}, {"system", "baton"}, {"name", name}, {"unavailable", why}};
  printf("%s\n", j.dump().c_str());
  fflush(stdout);
  fprintf(stderr, "  [%d] %-52s not available yet: %s\n", scenario, name.c_str(), why.c_str());
}

// --- Child ---

Child Child::Spawn(const std::vector<std::string>& argv, const std::string& stderr_path,
                   const std::vector<std::string>& env) {
  Child c;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return c;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  if (!stderr_path.empty())
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.push_back(*e);
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> av, ev;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (const auto& e : envs) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, av[0], &fa, nullptr, av.data(), ev.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    fprintf(stderr, "bench: cannot start %s: %s\n", av[0], strerror(rc));
    close(in[1]);
    close(out[0]);
    return c;
  }
  c.pid_ = pid;
  c.in_fd_ = in[1];
  c.out_fd_ = out[0];
  return c;
}

Child::Child(Child&& o) noexcept { *this = std::move(o); }

Child& Child::operator=(Child&& o) noexcept {
  std::swap(pid_, o.pid_);
  std::swap(in_fd_, o.in_fd_);
  std::swap(out_fd_, o.out_fd_);
  std::swap(buf_, o.buf_);
  return *this;
}

Child::~Child() {
  if (pid_ > 0) Finish(5000);
}

bool Child::Write(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(in_fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::optional<std::string> Child::ReadLine(int timeout_ms) {
  int64_t deadline = NowNs() + static_cast<int64_t>(timeout_ms) * 1000000;
  while (true) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    if (timeout_ms >= 0) {
      int64_t left_ms = (deadline - NowNs()) / 1000000;
      if (left_ms <= 0) return std::nullopt;
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left_ms)) <= 0) continue;
    }
    char tmp[65536];
    ssize_t n = read(out_fd_, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

void Child::CloseStdin() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

int Child::Finish(int timeout_ms) {
  CloseStdin();
  int status = 0;
  int64_t deadline = NowNs() + static_cast<int64_t>(timeout_ms) * 1000000;
  while (pid_ > 0) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || r < 0) break;
    if (NowNs() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    usleep(2000);
  }
  pid_ = -1;
  if (out_fd_ >= 0) close(out_fd_);
  out_fd_ = -1;
  return status;
}

// --- McpClient ---

bool McpClient::Initialize(const std::string& protocol) {
  auto r = Call("initialize", {{"protocolVersion", protocol},
                               {"capabilities", json::object()},
                               {"clientInfo", {{"name", "baton-bench"}, {"version", "1"}}}});
  if (!r || !r->contains("result")) return false;
  return child_.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                      "\n");
}

std::optional<json> McpClient::Call(const std::string& method, const json& params, int timeout_ms) {
  int64_t id = NextId();
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  if (!child_.Write(req.dump() + "\n")) return std::nullopt;
  while (true) {
    auto line = child_.ReadLine(timeout_ms);
    if (!line) return std::nullopt;
    json j = json::parse(*line, nullptr, false);
    if (j.is_object() && j.contains("id") && j["id"] == id) return j;
  }
}

std::optional<json> McpClient::CallTool(const std::string& tool, const json& args, int timeout_ms) {
  return Call("tools/call", {{"name", tool}, {"arguments", args}}, timeout_ms);
}

std::string McpClient::ToolLine(int64_t id, const std::string& tool, const json& args) {
  json req = {{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", args}}}};
  return req.dump() + "\n";
}

std::optional<json> Structured(const std::optional<json>& r) {
  if (!r || !r->contains("result")) return std::nullopt;
  const json& res = (*r)["result"];
  if (res.value("isError", false) || !res.contains("structuredContent")) return std::nullopt;
  return res["structuredContent"];
}

Env EnvFrom(const Options& o) {
  Env e;
  e.baton = o.Get("baton", "build-release/baton");
  e.stamp = o.Get("stamp", "");
  e.workdir = o.Get("workdir", "/tmp/baton-bench");
  std::error_code ec;
  std::filesystem::create_directories(e.workdir, ec);
  e.baton = std::filesystem::absolute(e.baton).string();
  if (!e.stamp.empty()) e.stamp = std::filesystem::absolute(e.stamp).string();
  return e;
}

McpClient StartServe(const Env& env, const std::string& db, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {env.baton, "serve", "--stdio", "--db", db, "--log-level", "warn"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return McpClient(Child::Spawn(argv, db + ".serve.log"));
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

long RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return ProcKb(line).value_or(-1);
  return -1;
}

std::optional<long> ProcKb(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view value = line.substr(colon + 1);
  value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
  if (value.size() >= 3 && value.substr(value.size() - 3) == " kB") value.remove_suffix(3);
  auto n = ParseInt64(value, "kB");
  if (!n.ok()) return std::nullopt;
  return static_cast<long>(*n);
}

int64_t QueryInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

pid_t RunnerPid(const std::string& db) {
  return static_cast<pid_t>(QueryInt(db, "SELECT pid FROM runners ORDER BY started_ms DESC LIMIT 1"));
}

void StopRunner(const std::string& db) {
  pid_t pid = RunnerPid(db);
  if (pid <= 0 || kill(pid, 0) != 0) return;
  // Only a process that is a baton runner on this db: check its command line.
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (cmd.find("runner") == std::string::npos || cmd.find(db) == std::string::npos) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 500 && kill(pid, 0) == 0; ++i) usleep(10000);
}

void RemoveDb(const std::string& db) {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(db).parent_path(), ec);
}

}  // namespace baton::bench
