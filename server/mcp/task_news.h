// server/mcp/task_news.h
//
// TaskNews pushes task status changes (server/mcp/mcp_tasks.h) as the job feed reports job changes:
//   - 2026-07-28 tasks extension: `notifications/tasks` (the DetailedTask tasks/get would return)
//     to every subscriptions/listen stream of the task's principal whose filter named the task in
//     `notifications.taskIds` (the listen filter key of the extension; acknowledged for the ids
//     that exist for that principal, and only when the listen request declared the extension).
//     Sent on every job transition of the task (the statusMessage changes: queued, running,
//     retried, ended).
//   - 2025-11-25 core tasks: `notifications/tasks/status` (the Task) to the legacy session that
//     created the task, when the task reaches a terminal status.
// Thread-safe; runs on the feed's thread.
#pragma once

#include <cstdint>
#include <vector>

#include "base/clock.h"
#include "server/jobs/job_feed.h"
#include "server/mcp/mcp_tasks.h"
#include "server/mcp/notification_hub.h"
#include "storage/job_store.h"

namespace baton {

class TaskNews {
 public:
  // Registers the `taskIds` listen filter key with `hub` (before serving) and subscribes.
  TaskNews(JobFeed& feed, JobStore& store, McpTasks& tasks, NotificationHub& hub,
           const Clock& clock);
  ~TaskNews();  // unsubscribes
  // What the feed calls (public for tests).
  void OnEvents(const std::vector<Event>& events);

 private:
  JobFeed& feed_;
  JobStore& store_;
  McpTasks& tasks_;
  NotificationHub& hub_;
  const Clock& clock_;
  uint64_t handle_ = 0;
};

}  // namespace baton
