#include "server/metrics/request_tally.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace baton {

RequestTally::~RequestTally() { Shutdown(); }

void RequestTally::Answered(const std::string& transport, const std::string& method,
                            const char* outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++pending_[{transport, method, outcome}];
}

void RequestTally::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      if (Status s = Flush(); !s.ok()) spdlog::warn("metrics: request counts not saved yet: {}",
                                                    s.message());
      lock.lock();
    }
  });
}

void RequestTally::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (Status s = Flush(); !s.ok())
    spdlog::warn("metrics: the last request counts were not saved: {}", s.message());
}

Status RequestTally::Flush() {
  std::lock_guard<std::mutex> flush_lock(flush_mu_);
  CounterDeltas taken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    taken.swap(pending_);
  }
  Status s = store_.AddCounts("mcp_requests", taken);
  if (!s.ok()) {  // nothing was added (one transaction): keep the counts for the next flush
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [labels, n] : taken) pending_[labels] += n;
  }
  return s;
}

}  // namespace baton
