#include "server/jobs/job_watcher.h"

#include <unistd.h>

#include <chrono>

#include "base/clock.h"

namespace baton {

JobWatcher::JobWatcher(JobStore& store) : store_(store) {}

JobWatcher::~JobWatcher() { Shutdown(); }

Status JobWatcher::Start(const std::string& bell_name) {
  BATON_RETURN_IF_ERROR(bell_.Bind(bell_name));
  bell_name_ = bell_name;
  BATON_RETURN_IF_ERROR(store_.RegisterFrontend(bell_name, getpid(), SystemClock::Instance().NowMs()));
  thread_ = std::thread([this] {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
      }
      if (bell_.Wait(200)) Notify();
    }
  });
  return Status::OK();
}

void JobWatcher::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!bell_name_.empty()) (void)store_.UnregisterFrontend(bell_name_);
  bell_.Close();
}

uint64_t JobWatcher::generation() {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void JobWatcher::RingAll(JobStore& store) {
  auto bells = store.FrontendBells();
  if (!bells.ok()) return;
  for (const std::string& b : *bells)
    if (!transport::Doorbell::Ring(b).ok()) (void)store.UnregisterFrontend(b);
}

void JobWatcher::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

uint64_t JobWatcher::WaitForChange(uint64_t seen, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return stop_ || generation_ != seen; });
  return generation_;
}

}  // namespace baton
