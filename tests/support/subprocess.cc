#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "base/clock.h"

namespace baton::testing {

namespace {
std::mutex g_err_mu;
}

Subprocess::Subprocess(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (!env.count(key)) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  setpgid(pid_, pid_);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  signal(SIGPIPE, SIG_IGN);
  err_thread_ = std::thread([this] {
    char buf[4096];
    while (true) {
      ssize_t n = read(err_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard<std::mutex> lock(g_err_mu);
      err_buf_.append(buf, n);
    }
    err_eof_ = true;
  });
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait(10000);
  }
  if (in_ >= 0) close(in_);
  if (out_ >= 0) close(out_);
  if (err_thread_.joinable()) err_thread_.join();
  if (err_ >= 0) close(err_);
}

bool Subprocess::Write(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(in_, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += n;
  }
  return true;
}

bool Subprocess::WriteLine(const std::string& line) { return Write(line + "\n"); }

void Subprocess::CloseStdin() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

std::optional<std::string> Subprocess::ReadLine(int timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  while (true) {
    size_t nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    int64_t left = deadline - MonotonicMs();
    if (left <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r <= 0) continue;
    char buf[65536];
    ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    out_buf_.append(buf, n);
  }
}

void Subprocess::Kill(int sig, bool group) { kill(group ? -pid_ : pid_, sig); }

std::optional<int> Subprocess::Wait(int timeout_ms) {
  if (reaped_) return status_;
  int64_t deadline = MonotonicMs() + timeout_ms;
  while (true) {
    int st;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = st;
      // The reader may not have drained the pipe yet: a test that reads Stderr() right after
      // the exit must see all of it.
      for (int64_t until = MonotonicMs() + 1000; !err_eof_ && MonotonicMs() < until;) usleep(1000);
      return st;
    }
    if (MonotonicMs() >= deadline) return std::nullopt;
    usleep(5000);
  }
}

std::string Subprocess::Stderr() {
  std::lock_guard<std::mutex> lock(g_err_mu);
  return err_buf_;
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::map<std::string, std::string>& env,
                                       int timeout_ms) {
  Subprocess p(argv, env);
  p.CloseStdin();
  std::string out;
  int64_t deadline = MonotonicMs() + timeout_ms;
  while (true) {
    auto line = p.ReadLine(static_cast<int>(std::max<int64_t>(1, deadline - MonotonicMs())));
    if (!line) break;
    out += *line + "\n";
  }
  auto st = p.Wait(static_cast<int>(std::max<int64_t>(1, deadline - MonotonicMs())));
  if (!st) return {-1, out};
  return {WIFEXITED(*st) ? WEXITSTATUS(*st) : 128 + WTERMSIG(*st), out};
}

bool ProcessAlive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.empty()) return false;
  size_t rp = content.rfind(')');
  if (rp == std::string::npos || rp + 2 >= content.size()) return false;
  char state = content[rp + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace baton::testing
