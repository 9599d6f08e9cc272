#include "server/job_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/placeholders.h"
#include "storage/job_spec.h"

namespace baton {

using nlohmann::json;

JobService::JobService(JobStore& store, RunnerControl& runner, JobWatcher& watcher,
                       const Clock& clock, ServiceOptions options)
    : store_(store), runner_(runner), watcher_(watcher), clock_(clock), options_(std::move(options)) {}

Result<JobSpec> JobService::Parse(const json& j, const std::string& where, bool in_chain,
                                  bool chain_predecessor) {
  SpecContext ctx{options_.base_cwd, clock_.NowMs()};
  BATON_ASSIGN_OR_RETURN(JobSpec spec, ParseJobSpec(j, ctx, where));
  // Placeholders are checked now so that a typo fails the call, not the job later.
  bool has_predecessor = chain_predecessor || !spec.depends_on.empty();
  std::vector<const std::string*> texts;
  for (const auto& a : spec.command) texts.push_back(&a);
  for (const auto& [k, v] : spec.env) texts.push_back(&v);
  if (spec.stdin_data) texts.push_back(&*spec.stdin_data);
  for (const std::string* t : texts) {
    auto refs = FindPlaceholders(*t);
    if (!refs.ok())
      return Status::InvalidArgument("`" + where + "command/env/stdin`: " + refs.status().message());
    for (const PlaceholderRef& r : *refs) {
      if (r.step.empty() && !has_predecessor)
        return Status::InvalidArgument("`" + where + "command` uses {{prev." + r.field +
                                       "}} but the job has no predecessor: add depends_on, or "
                                       "use the chain tool (with `after` for a first step)");
      if (!r.step.empty() && !in_chain)
        return Status::InvalidArgument("`" + where + "command` uses {{steps." + r.step +
                                       ".*}}, which only works inside a chain");
    }
  }
  return spec;
}

void JobService::WakeRunner() {
  Status s = runner_.Wake();
  if (!s.ok()) spdlog::warn("runner: {} (jobs stay queued until a runner starts)", s.ToString());
}

Result<EnqueueOutcome> JobService::Enqueue(const json& j, const Origin& origin) {
  BATON_ASSIGN_OR_RETURN(JobSpec spec, Parse(j, "", false, false));
  EnqueueRequest req{std::move(spec), origin, std::nullopt, 0};
  BATON_ASSIGN_OR_RETURN(EnqueueOutcome out, store_.Enqueue(req, clock_.NowMs()));
  if (!out.existed) WakeRunner();
  return out;
}

Result<std::vector<EnqueueOutcome>> JobService::Chain(const json& steps, std::optional<JobId> after,
                                                      DepCondition after_condition,
                                                      const Origin& origin) {
  if (!steps.is_array() || steps.empty())
    return Status::InvalidArgument("`steps` must be a non-empty array of job specs");
  if (steps.size() > 100) return Status::InvalidArgument("`steps` may have at most 100 entries");
  std::optional<JobId> chain_id;
  if (after) {
    BATON_ASSIGN_OR_RETURN(Job prev, store_.Get(*after));
    chain_id = prev.chain_id.value_or(prev.id);
  }
  std::vector<EnqueueRequest> reqs;
  std::vector<std::string> names;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string where = "steps[" + std::to_string(i) + "].";
    BATON_ASSIGN_OR_RETURN(JobSpec spec, Parse(steps[i], where, true, i > 0 || after.has_value()));
    if (!spec.name.empty()) {
      if (std::find(names.begin(), names.end(), spec.name) != names.end())
        return Status::InvalidArgument("`" + where + "name` \"" + spec.name + "\" is used twice");
      names.push_back(spec.name);
    }
    // The chain edge comes first: it is the step's predecessor ({{prev.*}}).
    Dependency edge;
    if (i == 0 && after) {
      edge = {*after, after_condition};
    } else if (i > 0) {
      edge = {-static_cast<JobId>(i), DepCondition::kSuccess};
    }
    if (edge.job_id != 0) {
      spec.depends_on.erase(std::remove_if(spec.depends_on.begin(), spec.depends_on.end(),
                                           [&](const Dependency& d) { return d.job_id == edge.job_id; }),
                            spec.depends_on.end());
      spec.depends_on.insert(spec.depends_on.begin(), edge);
    }
    EnqueueRequest req{std::move(spec), origin, chain_id ? chain_id : std::optional<JobId>(-1),
                       static_cast<int>(i)};
    reqs.push_back(std::move(req));
  }
  BATON_ASSIGN_OR_RETURN(auto out, store_.EnqueueBatch(reqs, clock_.NowMs()));
  WakeRunner();
  return out;
}

Result<Job> JobService::Get(JobId id) { return store_.Get(id); }

Result<std::vector<Attempt>> JobService::Attempts(JobId id) { return store_.Attempts(id); }

Result<std::vector<Job>> JobService::List(const JobFilter& filter) { return store_.List(filter); }

Result<std::vector<Job>> JobService::Wait(
    const std::vector<JobId>& ids, int64_t timeout_ms,
    const std::function<void(const std::vector<Job>&)>& on_progress,
    const std::atomic<bool>* cancelled) {
  int64_t start = MonotonicMs();
  int64_t deadline = start + std::min(timeout_ms, options_.max_wait_ms);
  int64_t next_progress = start + options_.progress_interval_ms;
  while (true) {
    uint64_t gen = watcher_.generation();
    std::vector<Job> jobs;
    bool all_done = true;
    for (JobId id : ids) {
      BATON_ASSIGN_OR_RETURN(Job j, store_.Get(id));
      all_done = all_done && IsTerminal(j.state);
      jobs.push_back(std::move(j));
    }
    int64_t now = MonotonicMs();
    if (all_done || now >= deadline || (cancelled && cancelled->load())) return jobs;
    if (now >= next_progress) {
      if (on_progress) on_progress(jobs);
      next_progress = now + options_.progress_interval_ms;
    }
    // Rings wake us at once; the 1 s bound covers a ring lost to a front-end restart.
    int64_t wait = std::min({deadline - now, next_progress - now, int64_t{1000}});
    watcher_.WaitForChange(gen, static_cast<int>(std::max<int64_t>(1, wait)));
  }
}

Result<CancelOutcome> JobService::Cancel(JobId id, bool cascade, const std::string& reason) {
  BATON_ASSIGN_OR_RETURN(CancelOutcome out, store_.Cancel(id, cascade, reason, clock_.NowMs()));
  if (out.state == JobState::kRunning) WakeRunner();
  watcher_.Notify();
  return out;
}

}  // namespace baton
