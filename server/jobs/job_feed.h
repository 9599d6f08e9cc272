// server/jobs/job_feed.h
//
// JobFeed tells a front-end which jobs changed and how, event-driven and across processes. It is
// the one reader of the events table per front-end: it sleeps on the JobWatcher (whose doorbell
// the runner rings when attempts start and end, and which this process's own writes notify),
// then reads the new event rows after its cursor and hands them, in id order, to every
// subscriber (the MCP sessions' news, server/mcp/job_news.h). A ring that is lost delays news by at
// most kJobFeedSafetyMs, never loses it: the cursor is on the event id.
//
// Start()/Shutdown() from one thread (Shutdown is idempotent and must come before the watcher's);
// Subscribe/Unsubscribe from any (not from a subscriber). Subscribers are called on the feed's
// thread, one at a time, and must not block for long; once Unsubscribe returns, that subscriber
// is not called any more.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "server/jobs/job_watcher.h"
#include "storage/job_store.h"

namespace baton {

// How long the feed sleeps at most without a ring before it looks at the events table anyway.
inline constexpr int kJobFeedSafetyMs = 2000;

class JobFeed {
 public:
  using Subscriber = std::function<void(const std::vector<Event>& events)>;

  JobFeed(JobStore& store, JobWatcher& watcher);
  ~JobFeed();  // Shutdown()

  // Puts the cursor at the newest event (news starts now) and starts the reader thread.
  Status Start();
  void Shutdown();

  // `fn` gets every batch of new events from now on. Returns a handle for Unsubscribe.
  uint64_t Subscribe(Subscriber fn);
  void Unsubscribe(uint64_t handle);

  // Reads and delivers one batch (tests, and the thread). Returns how many events it read.
  Result<int> RunOnce();
  int64_t cursor();

 private:
  JobStore& store_;
  JobWatcher& watcher_;
  std::mutex mu_;
  std::mutex deliver_mu_;  // held while a batch is read and delivered
  std::map<uint64_t, Subscriber> subscribers_;
  uint64_t next_handle_ = 1;
  int64_t cursor_ = 0;
  bool started_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace baton
