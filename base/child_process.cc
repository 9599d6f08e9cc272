#include "base/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/parse_number.h"

extern char** environ;

namespace baton {

namespace {

struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

// PATH lookup done here (not by posix_spawnp) so "not found" is told apart from other errors.
std::string FindProgram(const std::string& name, const std::vector<std::string>& env,
                        const std::string& cwd) {
  if (name.find('/') != std::string::npos) {
    std::string path = name[0] == '/' ? name : cwd + "/" + name;
    return access(path.c_str(), X_OK) == 0 ? path : "";
  }
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& kv : env)
    if (kv.rfind("PATH=", 0) == 0) path_var = kv.substr(5);
  std::stringstream ss(path_var);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) dir = ".";
    std::string candidate = (dir[0] == '/' ? dir : cwd + "/" + dir) + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

}  // namespace

Result<SpawnedProcess> SpawnProcess(const SpawnRequest& req) {
  if (req.argv.empty()) return Status::InvalidArgument("empty command");
  struct stat st;
  if (stat(req.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::InvalidArgument("working directory " + req.cwd + " does not exist");
  std::string program = FindProgram(req.argv[0], req.env, req.cwd);
  if (program.empty())
    return Status::InvalidArgument("command not found or not executable: " + req.argv[0]);

  int out[2] = {-1, -1}, err[2] = {-1, -1};
  if (!req.inherit_output) {
    if (pipe2(out, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
      close(out[0]);
      close(out[1]);
      return Status::Internal(std::string("pipe: ") + strerror(errno));
    }
  }
  FileActions fa;
  if (req.stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&fa.fa, req.stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&fa.fa, 0, req.stdin_path.empty() ? "/dev/null" : req.stdin_path.c_str(),
                                     O_RDONLY, 0);
  if (!req.inherit_output) {
    posix_spawn_file_actions_adddup2(&fa.fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa.fa, err[1], 2);
  }
  posix_spawn_file_actions_addchdir_np(&fa.fa, req.cwd.c_str());

  SpawnAttr sa;
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&sa.attr, &empty);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setpgroup(&sa.attr, 0);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                         POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<char*> argv, envp;
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &fa.fa, &sa.attr, argv.data(), envp.data());
  if (!req.inherit_output) {
    close(out[1]);
    close(err[1]);
  }
  if (rc != 0) {
    if (!req.inherit_output) {
      close(out[0]);
      close(err[0]);
    }
    return Status::InvalidArgument("cannot start " + req.argv[0] + ": " + strerror(rc));
  }
  if (!req.inherit_output) {
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
  }
  SpawnedProcess p;
  p.pid = pid;
  p.stdout_fd = out[0];
  p.stderr_fd = err[0];
  p.start_ticks = ProcessStartTicks(pid);
  return p;
}

void SignalGroup(pid_t pgid, int sig) {
  if (pgid > 1) kill(-pgid, sig);
}

int64_t ProcessStartTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t rp = content.rfind(')');
  if (rp == std::string::npos) return -1;
  std::istringstream rest(content.substr(rp + 2));
  std::string field;
  // Fields after the command: state is field 3; starttime is field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return -1;
  }
  auto ticks = ParseInt64(field, "starttime", 0);
  return ticks.ok() ? *ticks : -1;
}

}  // namespace baton
