#include "server/mcp/task_news.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "transport/jsonrpc.h"

namespace baton {

using nlohmann::json;

namespace {
constexpr const char* kTaskIdsKey = "taskIds";  // ext-tasks: notifications.taskIds
}

TaskNews::TaskNews(JobFeed& feed, JobStore& store, McpTasks& tasks, NotificationHub& hub,
                   const Clock& clock)
    : feed_(feed), store_(store), tasks_(tasks), hub_(hub), clock_(clock) {
  // Acknowledge the ids that are tasks of the listener's principal (a listen request asking for
  // taskIds without the extension declared was already refused with -32021).
  hub_.AddFilterKey(kTaskIdsKey, [this](const json& requested, const ListenerInfo& l) -> json {
    if (!requested.is_array() || !McpTasks::DeclaresExtension(l.client_capabilities))
      return nullptr;
    json honored = json::array();
    for (const json& id : requested)
      if (id.is_string() && store_.GetTask(id.get<std::string>(), l.principal, clock_.NowMs()).ok())
        honored.push_back(id);
    return honored;
  });
  handle_ = feed_.Subscribe([this](const std::vector<Event>& events) { OnEvents(events); });
}

TaskNews::~TaskNews() { feed_.Unsubscribe(handle_); }

void TaskNews::OnEvents(const std::vector<Event>& events) {
  std::set<JobId> changed;
  for (const Event& e : events)
    if (JobStateFromString(e.type)) changed.insert(e.job_id);  // a state transition
  if (changed.empty()) return;
  auto affected = store_.TasksOfJobs({changed.begin(), changed.end()}, clock_.NowMs());
  if (!affected.ok()) {
    spdlog::warn("task news: {}", affected.status().ToString());
    return;
  }
  for (const TaskRecord& rec : *affected) {
    auto snap = tasks_.Get(rec.id, rec.principal);
    if (!snap.ok()) continue;  // expired or its jobs pruned meanwhile
    const std::string id = rec.id, principal = rec.principal, session = rec.session;
    hub_.Publish(
        [&](const ListenerInfo& l) {
          if (!l.modern || l.principal != principal) return false;
          const json& ids = l.honored.value(kTaskIdsKey, json::array());
          return ids.is_array() && std::find(ids.begin(), ids.end(), json(id)) != ids.end();
        },
        transport::MakeNotification("notifications/tasks", tasks_.ExtensionTask(*snap)));
    if (snap->terminal())
      hub_.Publish(
          [&](const ListenerInfo& l) {
            return !l.modern && l.session_id == session && l.protocol_version == "2025-11-25";
          },
          transport::MakeNotification("notifications/tasks/status", McpTasks::CoreTask(*snap)));
  }
}

}  // namespace baton
