#include "server/jobs/runner_control.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "transport/doorbell.h"

extern char** environ;

namespace baton {

RunnerControl::RunnerControl(StatePaths paths, RunnerLaunch launch)
    : paths_(std::move(paths)), launch_(std::move(launch)) {}

void RunnerControl::Hold() {
  std::lock_guard<std::mutex> lock(hold_mu_);
  held_ = true;
}

Status RunnerControl::Release() {
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    held_ = false;
    if (!owed_) return Status::OK();
    owed_ = false;
  }
  return Wake();
}

Status RunnerControl::Wake() {
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    if (held_) {
      owed_ = true;
      return Status::OK();
    }
  }
  if (transport::Doorbell::Ring(paths_.runner_bell).ok()) return Status::OK();
  if (!launch_.enabled) return Status::Unavailable("the in-process runner does not answer");
  std::lock_guard<std::mutex> lock(mu_);
  if (transport::Doorbell::Ring(paths_.runner_bell).ok()) return Status::OK();
  BATON_RETURN_IF_ERROR(SpawnDetached());
  int64_t deadline = MonotonicMs() + 5000;
  while (MonotonicMs() < deadline) {
    if (transport::Doorbell::Ring(paths_.runner_bell).ok()) return Status::OK();
    usleep(2000);
  }
  return Status::Unavailable("started a runner for " + paths_.db +
                             " but it did not answer within 5 s; see " + paths_.runner_log);
}

Status RunnerControl::SpawnDetached() {
  std::vector<std::string> args = {launch_.executable, "runner", "--db", paths_.db,
                                   "--lock-wait", "5"};
  args.insert(args.end(), launch_.extra_args.begin(), launch_.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The runner is nobody's job: drop the job identity a front-end started inside a job
  // inherited (a new runner would otherwise take this runner for a stray of a dead one).
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    bool job_var = false;
    for (std::string_view name : {"BATON_RUNNER=", "BATON_JOB_ID=", "BATON_ATTEMPT=",
                                  "BATON_PREV_OUTPUT_FILE="})
      job_var = job_var || kv.substr(0, name.size()) == name;
    if (!job_var) envp.push_back(*e);
  }
  envp.push_back(nullptr);
  int log_fd = open(paths_.runner_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  spdlog::debug("starting runner for {}", paths_.db);
  pid_t pid = fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    // First child: a new session (no controlling terminal, out of the client's process group),
    // then fork again so the runner is not our child and never a zombie of ours.
    setsid();
    pid_t grandchild = fork();
    if (grandchild != 0) _exit(grandchild < 0 ? 1 : 0);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (log_fd >= 0) close(log_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return Status::OK();
}

}  // namespace baton
