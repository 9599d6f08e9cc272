#include "server/jobs/job_feed.h"

#include <spdlog/spdlog.h>

namespace baton {

namespace {
constexpr int kBatch = 500;
}

JobFeed::JobFeed(JobStore& store, JobWatcher& watcher) : store_(store), watcher_(watcher) {}

JobFeed::~JobFeed() { Shutdown(); }

Status JobFeed::Start() {
  BATON_ASSIGN_OR_RETURN(int64_t last, store_.LastEventId());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return Status::OK();
    started_ = true;
    cursor_ = last;
  }
  thread_ = std::thread([this] {
    while (true) {
      uint64_t seen = watcher_.generation();  // before reading: a ring meanwhile is not lost
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
      }
      auto read = RunOnce();
      if (!read.ok()) spdlog::warn("job feed: {}", read.status().ToString());
      if (read.ok() && *read == kBatch) continue;  // more to read
      watcher_.WaitForChange(seen, kJobFeedSafetyMs);
    }
  });
  return Status::OK();
}

void JobFeed::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  watcher_.Notify();  // wakes the thread if it sleeps on the watcher
  if (thread_.joinable()) thread_.join();
}

uint64_t JobFeed::Subscribe(Subscriber fn) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t h = next_handle_++;
  subscribers_[h] = std::move(fn);
  return h;
}

void JobFeed::Unsubscribe(uint64_t handle) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    subscribers_.erase(handle);
  }
  std::lock_guard<std::mutex> wait_for_delivery(deliver_mu_);  // it may hold the old list
}

int64_t JobFeed::cursor() {
  std::lock_guard<std::mutex> lock(mu_);
  return cursor_;
}

Result<int> JobFeed::RunOnce() {
  std::lock_guard<std::mutex> delivering(deliver_mu_);
  int64_t after = cursor();
  BATON_ASSIGN_OR_RETURN(std::vector<Event> events, store_.EventsAfter(after, kBatch));
  if (events.empty()) return 0;
  std::vector<Subscriber> subscribers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cursor_ = events.back().id;
    for (const auto& [h, fn] : subscribers_) subscribers.push_back(fn);
  }
  for (const Subscriber& fn : subscribers) {
    try {
      fn(events);
    } catch (const std::exception& e) {
      spdlog::error("job feed subscriber: {}", e.what());
    }
  }
  return static_cast<int>(events.size());
}

}  // namespace baton
