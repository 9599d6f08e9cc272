#include "server/jobs/runner_supervisor.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace baton {

bool RunnerHoldsLock(const std::string& lock_path) {
  int fd = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // flock locks belong to the open file description: taking and dropping it on our own
  // descriptor never disturbs a runner's lock, and a runner starting meanwhile waits (--lock-wait).
  bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

RunnerSupervisor::RunnerSupervisor(JobStore& store, RunnerControl& control, std::string lock_path,
                                   int64_t period_ms)
    : store_(store), control_(control), lock_path_(std::move(lock_path)), period_ms_(period_ms) {
  thread_ = std::thread([this] { Loop(); });
}

RunnerSupervisor::~RunnerSupervisor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RunnerSupervisor::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(period_ms_), [this] { return stop_; })) {
    lock.unlock();
    Check();
    lock.lock();
  }
}

void RunnerSupervisor::Check() {
  if (RunnerHoldsLock(lock_path_)) return;
  auto work = store_.HasUnfinishedWork();
  if (!work.ok()) {
    spdlog::warn("runner supervisor: cannot tell whether work is waiting: {}",
                 work.status().message());
    return;
  }
  if (!*work) return;
  spdlog::warn("no runner holds {} while jobs are unfinished: starting one", lock_path_);
  if (Status s = control_.Wake(); !s.ok())
    spdlog::error("runner supervisor: {} (retrying in {} ms)", s.message(), period_ms_);
}

}  // namespace baton
