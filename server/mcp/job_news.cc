#include "server/mcp/job_news.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "base/parse_number.h"

namespace baton {

using nlohmann::json;

namespace {

constexpr size_t kCommandChars = 60;
constexpr size_t kLastLinesChars = 300;
constexpr int kLastLines = 3;

std::string Shorten(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max - 3) + "...";
}

std::string CommandText(const JobSpec& spec) {
  std::string out;
  for (const std::string& a : spec.command) out += (out.empty() ? "" : " ") + a;
  return Shorten(out, kCommandChars);
}

// The last few non-empty lines of `tail`, cut to kLastLinesChars from the end.
std::string LastLines(const std::string& tail) {
  std::vector<std::string> lines;
  size_t end = tail.size();
  while (end > 0 && static_cast<int>(lines.size()) < kLastLines) {
    size_t start = tail.rfind('\n', end - 1);
    size_t from = start == std::string::npos ? 0 : start + 1;
    std::string line = tail.substr(from, end - from);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.insert(lines.begin(), line);
    if (start == std::string::npos) break;
    end = start;
  }
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : " | ") + l;
  if (out.size() > kLastLinesChars) out = "..." + out.substr(out.size() - (kLastLinesChars - 3));
  return out;
}

std::string Verb(JobState s) {
  switch (s) {
    case JobState::kSucceeded: return "succeeded";
    case JobState::kFailed: return "failed";
    case JobState::kDead: return "failed for good";
    case JobState::kCancelled: return "was cancelled";
    case JobState::kSkipped: return "was skipped";
    default: return ToString(s);
  }
}

}  // namespace

std::string JobResourceUri(JobId id) { return kJobUriPrefix + std::to_string(id); }

std::optional<JobId> JobIdFromUri(const std::string& uri) {
  const std::string prefix = kJobUriPrefix;
  if (uri.size() <= prefix.size() || uri.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  auto id = ParseInt64(std::string_view(uri).substr(prefix.size()), "job id", 1);
  if (!id.ok()) return std::nullopt;
  return *id;
}

json JobChannelNotification(const Job& job) {
  std::string text = "job " + std::to_string(job.id) + " `" + CommandText(job.spec) + "` " +
                     Verb(job.state);
  int attempts = job.attempt - job.attempt_base;
  if (attempts > 1) text += " after " + std::to_string(attempts) + " attempts";
  if (job.exit_code && job.state != JobState::kSucceeded)
    text += " (exit " + std::to_string(*job.exit_code) + ")";
  else if (job.signal)
    text += " (signal " + std::to_string(*job.signal) + ")";
  if (job.state != JobState::kSucceeded && !job.exit_code && !job.error.empty())
    text += ": " + Shorten(job.error, 160);
  // Failures show stderr first (where the reason usually is), successes stdout.
  std::string lines = job.state == JobState::kSucceeded ? LastLines(job.stdout_tail) : "";
  if (lines.empty()) lines = LastLines(job.stderr_tail);
  if (lines.empty()) lines = LastLines(job.stdout_tail);
  if (!lines.empty()) text += " — last lines: " + lines;
  return {{"jsonrpc", "2.0"},
          {"method", "notifications/claude/channel"},
          {"params",
           {{"content", text},
            {"meta",
             {{"job_id", std::to_string(job.id)},
              {"state", ToString(job.state)},
              {"queue", job.spec.queue}}}}}};
}

JobNews::JobNews(JobFeed& feed, JobStore& store, NotificationHub& hub)
    : feed_(feed), store_(store), hub_(hub) {
  handle_ = feed_.Subscribe([this](const std::vector<Event>& events) { OnEvents(events); });
}

JobNews::~JobNews() { feed_.Unsubscribe(handle_); }

void JobNews::OnEvents(const std::vector<Event>& events) {
  std::set<JobId> changed, ended;
  for (const Event& e : events) {
    if (e.job_id <= 0) continue;
    changed.insert(e.job_id);
    auto state = JobStateFromString(e.type);
    if (state && IsTerminal(*state)) ended.insert(e.job_id);
  }
  if (hub_.size() == 0) return;
  struct Ended {
    std::string origin_session;
    json message;
  };
  std::map<JobId, Ended> channel;
  for (JobId id : ended) {
    auto job = store_.Get(id);
    if (!job.ok() || !IsTerminal(job->state)) continue;  // pruned, or re-queued meanwhile
    channel[id] = {job->origin.session, JobChannelNotification(*job)};
  }
  // One pass over the listeners for the whole batch.
  int sent = hub_.PublishEach([&](const ListenerInfo& l) {
    json out = json::array();
    if (l.honored.contains("resourceSubscriptions"))
      for (const json& u : l.honored["resourceSubscriptions"]) {
        auto id = JobIdFromUri(u.is_string() ? u.get<std::string>() : "");
        if (id && changed.count(*id))
          out.push_back({{"jsonrpc", "2.0"},
                         {"method", "notifications/resources/updated"},
                         {"params", {{"uri", u}}}});
      }
    if (!l.modern && l.channels)
      for (const auto& [id, e] : channel)
        if (l.ended_seen.count(id) == 0 &&
            (l.session_id == e.origin_session || l.followed_jobs.count(id) > 0))
          out.push_back(e.message);
    return out.empty() ? json() : out;
  });
  if (sent > 0) spdlog::debug("job news: {} notification(s) for {} event(s)", sent, events.size());
}

}  // namespace baton
