// server/mcp/job_news.h
//
// JobNews turns the job feed (server/jobs/job_feed.h) into MCP notifications through the server's
// NotificationHub (server/mcp/notification_hub.h):
//   - notifications/resources/updated {uri: "baton://jobs/<id>"} to every listener subscribed to
//     that job resource (legacy resources/subscribe, or a subscriptions/listen stream whose
//     acknowledged resourceSubscriptions name it), once per job per batch of events;
//   - Claude Code channel messages (issue 9): when a job ends, one notifications/claude/channel
//     {content, meta {job_id, state, queue}} to each legacy session with channels on that created
//     the job or waited on it, unless a call of that session already returned the job's end
//     (a status wait that saw it finish): the agent knows then.
// Thread-safe; runs on the feed's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "server/jobs/job_feed.h"
#include "server/mcp/notification_hub.h"
#include "storage/job_store.h"

namespace baton {

inline constexpr const char* kJobUriPrefix = "baton://jobs/";
std::string JobResourceUri(JobId id);
// The job id of a job resource URI; nullopt for anything else.
std::optional<JobId> JobIdFromUri(const std::string& uri);

// The channel message for a job that ended: content like
// "job 42 `make test` failed after 3 attempts (exit 2) — last lines: …" (short), and meta with
// identifier keys only ([A-Za-z_][A-Za-z0-9_]*, as Claude Code requires).
nlohmann::json JobChannelNotification(const Job& job);

class JobNews {
 public:
  JobNews(JobFeed& feed, JobStore& store, NotificationHub& hub);
  ~JobNews();  // unsubscribes

  // What the feed calls (public for tests).
  void OnEvents(const std::vector<Event>& events);

 private:
  JobFeed& feed_;
  JobStore& store_;
  NotificationHub& hub_;
  uint64_t handle_ = 0;
};

}  // namespace baton
