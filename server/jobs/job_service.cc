#include "server/jobs/job_service.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/did_you_mean.h"
#include "server/jobs/cron.h"
#include "server/jobs/job_worktree.h"
#include "server/jobs/placeholders.h"
#include "storage/job_options.h"
#include "storage/job_spec.h"

namespace baton {

using nlohmann::json;

namespace {
constexpr int64_t kLostRingBoundMs = 5000;
constexpr int64_t kCancelCheckMs = 100;

// The size of `text` once its placeholders are expanded, at worst (each output placeholder at
// its cap); `outputs` counts those. Placeholders were checked by the caller.
int64_t WorstCaseExpandedBytes(const std::string& text, int* outputs) {
  auto refs = FindPlaceholders(text);
  int64_t worst = static_cast<int64_t>(text.size());
  if (!refs.ok()) return worst;
  for (const PlaceholderRef& r : *refs) {
    bool output = !r.own && (r.field == "stdout" || r.field == "stderr");
    *outputs += output;
    // {{last_error}} is bounded (server/runner/failure_summary.h); exit_code, job_id, state,
    // attempt: a few bytes.
    worst += output ? kPlaceholderMaxBytes : r.field == "last_error" ? kLastErrorMaxBytes : 64;
  }
  return worst;
}

// The step names a spec (and its compensation) refers to with {{steps.NAME.*}}, with the field
// they are in. Placeholders were checked by the caller.
std::vector<std::pair<std::string, std::string>> StepReferences(const JobSpec& spec,
                                                                const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& text, const std::string& field) {
    if (auto refs = FindPlaceholders(text); refs.ok())
      for (const PlaceholderRef& r : *refs)
        if (!r.step.empty()) out.emplace_back(r.step, where + field);
  };
  for (const auto& a : spec.command) add(a, "command");
  for (const auto& [k, v] : spec.env) add(v, "env." + k);
  if (spec.stdin_data) add(*spec.stdin_data, "stdin");
  if (spec.verify)
    for (const auto& a : spec.verify->command) add(a, "verify.command");
  for (const JobSpec& comp : spec.on_failure)
    for (auto& r : StepReferences(comp, where + "on_failure.")) out.push_back(std::move(r));
  return out;
}

Status TooLarge(const std::string& what, int64_t worst, int outputs, long limit,
                const std::string& why) {
  return Status::InvalidArgument(
      what + " could expand to " + std::to_string(worst) + " bytes (" + std::to_string(outputs) +
      " output placeholders of up to " + std::to_string(kPlaceholderMaxBytes) +
      " bytes each); the limit is " + std::to_string(limit) + " (16 MiB)" + why +
      ": use fewer {{prev.stdout}}/{{steps.*.stdout}}, or read the predecessor's output from the "
      "file named by $BATON_PREV_OUTPUT_FILE");
}

}  // namespace

JobService::JobService(JobStore& store, RunnerControl& runner, JobWatcher& watcher,
                       const Clock& clock, ServiceOptions options)
    : store_(store), runner_(runner), watcher_(watcher), clock_(clock), options_(std::move(options)) {}

Result<ParsedJobSpec> JobService::Parse(const json& request, const std::string& where,
                                        bool in_chain, bool chain_predecessor) const {
  // Labels baton.* mark what baton itself created (templates, schedules, compensations).
  if (request.is_object() && request.contains("labels") && request["labels"].is_object())
    for (auto it = request["labels"].begin(); it != request["labels"].end(); ++it)
      if (it.key().rfind("baton.", 0) == 0)
        return Status::InvalidArgument("`" + where + "labels." + it.key() +
                                       "`: labels starting with \"baton.\" are reserved");
  ParsedJobSpec parsed;
  const json* j = &request;
  if (TemplateCatalog::IsTemplateRequest(request)) {
    if (!options_.templates)
      return Status::InvalidArgument("`" + where + "template`: no templates are configured (the "
                                     "operator defines them in the config file); give `command`");
    BATON_ASSIGN_OR_RETURN(parsed.from_template, options_.templates->Expand(request, where));
    j = &parsed.from_template->spec;
  }
  SpecContext ctx{options_.base_cwd, clock_.NowMs()};
  BATON_ASSIGN_OR_RETURN(parsed.spec, ParseJobSpec(*j, ctx, where));
  JobSpec& spec = parsed.spec;
  // Placeholders are checked now so that a typo fails the call, not the job later.
  if (!in_chain && !spec.on_failure.empty())
    return Status::InvalidArgument("`" + where + "on_failure` only applies to chain steps (it "
                                   "compensates a completed step when a later one fails): use the "
                                   "chain tool");
  bool has_predecessor = chain_predecessor || !spec.depends_on.empty();
  std::vector<const std::string*> texts;
  for (const auto& a : spec.command) texts.push_back(&a);
  for (const auto& [k, v] : spec.env) texts.push_back(&v);
  if (spec.stdin_data) texts.push_back(&*spec.stdin_data);
  if (spec.verify)
    for (const auto& a : spec.verify->command) texts.push_back(&a);
  for (const std::string* t : texts) {
    auto refs = FindPlaceholders(*t);
    if (!refs.ok())
      return Status::InvalidArgument("`" + where + "command/env/stdin/verify`: " +
                                     refs.status().message());
    for (const PlaceholderRef& r : *refs) {
      if (r.own) continue;  // {{attempt}}, {{last_error}}: every job has them
      if (r.step.empty() && !has_predecessor)
        return Status::InvalidArgument("`" + where + "command` uses {{prev." + r.field +
                                       "}} but the job has no predecessor: add depends_on, or "
                                       "use the chain tool (with `after` for a first step)");
      if (!r.step.empty() && !in_chain)
        return Status::InvalidArgument("`" + where + "command` uses {{steps." + r.step +
                                       ".*}}, which only works inside a chain");
    }
  }
  BATON_RETURN_IF_ERROR(CheckExpandedSizes(spec, where));
  BATON_RETURN_IF_ERROR(ResolveIsolation(spec, where));
  for (JobSpec& comp : spec.on_failure) {
    BATON_RETURN_IF_ERROR(CheckExpandedSizes(comp, where + "on_failure."));
    BATON_RETURN_IF_ERROR(ResolveIsolation(comp, where + "on_failure."));
  }
  parsed.normalized = JobSpecToJson(spec);
  parsed.normalized.erase("run_at");
  for (const char* asked : {"delay_seconds", "run_at"})
    if (j->contains(asked)) parsed.normalized[asked] = (*j)[asked];
  return parsed;
}

// An isolated job's repository and base are checked now (a cwd outside git fails the call, not
// the job), and its base is pinned: the job starts from the commit the caller saw.
Status JobService::ResolveIsolation(JobSpec& spec, const std::string& where) {
  if (spec.isolation != "worktree") return Status::OK();
  auto source = ResolveWorktreeSource(spec.cwd, spec.base_ref);
  if (!source.ok())
    return Status(source.status().code(), "`" + where + "isolation`: " + source.status().message());
  spec.base_ref = source->base_commit;
  return Status::OK();
}

// The runner expands placeholders in memory (and writes stdin to a file) just before the job
// starts: bound the result now, by its worst case, so that no spec can make either unbounded.
Status JobService::CheckExpandedSizes(const JobSpec& spec, const std::string& where) {
  if (spec.stdin_data) {
    int outputs = 0;
    int64_t worst = WorstCaseExpandedBytes(*spec.stdin_data, &outputs);
    if (worst > kMaxExpandedStdinBytes)
      return TooLarge("`" + where + "stdin`", worst, outputs, kMaxExpandedStdinBytes, "");
  }
  int outputs = 0;
  int64_t worst = 0;
  for (const std::string& arg : spec.command) worst += WorstCaseExpandedBytes(arg, &outputs);
  for (const auto& [k, v] : spec.env) worst += WorstCaseExpandedBytes(v, &outputs);
  if (spec.verify)  // its own process, but the same bound keeps the check simple
    for (const std::string& arg : spec.verify->command) worst += WorstCaseExpandedBytes(arg, &outputs);
  if (worst > kMaxExpandedArgsBytes)
    return TooLarge("`" + where + "command` and `" + where + "env` together", worst, outputs,
                    kMaxExpandedArgsBytes,
                    " (the kernel refuses more than a few MiB of arguments and environment)");
  return Status::OK();
}

void JobService::WakeRunner() {
  Status s = runner_.Wake();
  if (!s.ok()) spdlog::warn("runner: {} (jobs stay queued until a runner starts)", s.ToString());
  // A runner that holds the lock but no longer heartbeats answers no doorbell: say so (at most
  // every 30 s per front-end).
  int64_t now = MonotonicMs();
  if (now >= next_health_check_ms_.load()) {
    next_health_check_ms_ = now + 30000;
    (void)CheckRunner();
  }
}

Result<RunnerHealth> JobService::CheckRunner() {
  RunnerHealth h;
  BATON_ASSIGN_OR_RETURN(h.runner, store_.LatestRunner());
  if (!h.runner) return h;
  h.alive = h.runner->pid > 0 && kill(h.runner->pid, 0) == 0;
  h.heartbeat_age_ms = clock_.NowMs() - h.runner->heartbeat_ms;
  const bool lock_held = h.alive;  // a dead runner's lock is free: the next Wake replaces it
  h.stale = lock_held && h.heartbeat_age_ms > static_cast<int64_t>(kRunnerStaleSeconds * 1000);
  if (h.stale)
    spdlog::error("runner {} (pid {}) holds the lock of {} but has not heartbeat for {} s: it "
                  "looks hung; jobs are not being started or supervised. Inspect it, then kill "
                  "it (kill -9 {}) and a new runner recovers its jobs",
                  h.runner->id, h.runner->pid, store_.path(), h.heartbeat_age_ms / 1000,
                  h.runner->pid);
  return h;
}

Status JobService::CheckJob(const JobCheck& check) {
  if (!checker_) return Status::OK();
  std::vector<std::string> reasons = checker_->CheckJob(check);
  if (reasons.empty()) return Status::OK();
  return Status::PermissionDenied(JoinReasons(reasons));
}

Result<Job> JobService::Retry(JobId id, const std::string& reason, const Origin& caller) {
  {  // The spec runs again: the policy in force now must allow it, whoever asked.
    BATON_ASSIGN_OR_RETURN(Job current, store_.Get(id));
    JobCheck check;
    check.origin = "retry";
    check.spec = JobSpecToJson(current.spec);
    check.on_behalf_of = caller;
    check.chain_depth = current.chain_step;
    check.chain_parent = current.spec.depends_on.empty()
                             ? std::nullopt
                             : std::optional<JobId>(current.spec.depends_on.front().job_id);
    check.source = {{"job", id}, {"reason", reason}};
    check.job = current;
    if (IsTerminal(current.state) && current.state != JobState::kSucceeded)
      BATON_RETURN_IF_ERROR(CheckJob(check));  // else Requeue explains why it cannot retry
  }
  BATON_ASSIGN_OR_RETURN(Job job, store_.Requeue(id, reason, clock_.NowMs()));
  WakeRunner();
  watcher_.Notify();
  return job;
}

Result<ParsedSchedule> JobService::ParseSchedule(const std::string& name, const std::string& cron,
                                                 const std::string& tz, CatchUp catch_up,
                                                 const json& spec_json) const {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    return Status::InvalidArgument("`name` must be 1-64 characters of letters, digits, '_', '-', '.'");
  BATON_RETURN_IF_ERROR(CronExpr::Parse(cron).status());
  BATON_RETURN_IF_ERROR(ValidateTimeZone(tz));
  if (spec_json.is_object())
    for (const char* f : {"run_at", "delay_seconds", "depends_on", "idempotency_key", "on_failure"})
      if (spec_json.contains(f))
        return Status::InvalidArgument(std::string("`spec.") + f +
                                       "` cannot be used in a schedule (each run is a fresh job "
                                       "at the scheduled time)");
  ParsedSchedule parsed{name, cron, tz, catch_up, {}};
  BATON_ASSIGN_OR_RETURN(parsed.spec, Parse(spec_json, "spec.", false, false));
  return parsed;
}

Result<Schedule> JobService::CreateSchedule(const std::string& name, const std::string& cron,
                                            const std::string& tz, CatchUp catch_up,
                                            const json& spec, const Origin& origin) {
  BATON_ASSIGN_OR_RETURN(ParsedSchedule parsed, ParseSchedule(name, cron, tz, catch_up, spec));
  return CreateSchedule(parsed, origin);
}

Result<Schedule> JobService::CreateSchedule(const ParsedSchedule& p, const Origin& origin) {
  BATON_ASSIGN_OR_RETURN(CronExpr expr, CronExpr::Parse(p.cron));
  Schedule s;
  s.name = p.name;
  s.cron = p.cron;
  s.tz = p.tz;
  s.catch_up = p.catch_up;
  s.spec_json = JobSpecToJson(p.spec.spec).dump();
  s.origin = origin;
  BATON_ASSIGN_OR_RETURN(s.next_run_ms, expr.Next(clock_.NowMs(), p.tz));
  BATON_ASSIGN_OR_RETURN(Schedule out, store_.CreateSchedule(s, clock_.NowMs()));
  WakeRunner();  // the runner must know (and stay up while schedules exist)
  return out;
}

Result<std::vector<Schedule>> JobService::ListSchedules() { return store_.ListSchedules(); }

Status JobService::DeleteSchedule(const std::string& name) {
  return store_.DeleteSchedule(name, clock_.NowMs());
}

Status JobService::ValidateQueueName(const std::string& q) {
  if (q.empty() || q.size() > 64 ||
      q.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    return Status::InvalidArgument("`queue` must be 1-64 characters of letters, digits, '_', '-', '.'");
  return Status::OK();
}

Result<std::vector<QueueInfo>> JobService::ListQueues() { return store_.ListQueues(); }

Status JobService::SetQueuePaused(const std::string& queue, bool paused) {
  BATON_RETURN_IF_ERROR(ValidateQueueName(queue));
  BATON_RETURN_IF_ERROR(store_.SetQueuePaused(queue, paused));
  if (!paused) WakeRunner();
  return Status::OK();
}

Status JobService::SetQueueConcurrency(const std::string& queue, std::optional<int> limit) {
  BATON_RETURN_IF_ERROR(ValidateQueueName(queue));
  if (limit && (*limit < 1 || *limit > 10000))
    return Status::InvalidArgument("`concurrency` must be an integer from 1 to 10000");
  BATON_RETURN_IF_ERROR(store_.SetQueueConcurrency(queue, limit));
  WakeRunner();
  return Status::OK();
}

Result<ParsedJobSpec> JobService::ParseEnqueue(const json& spec) const {
  return Parse(spec, "", false, false);
}

Result<EnqueueOutcome> JobService::Enqueue(const json& j, const Origin& origin) {
  BATON_ASSIGN_OR_RETURN(ParsedJobSpec spec, ParseEnqueue(j));
  return Enqueue(spec, origin);
}

Result<EnqueueOutcome> JobService::Enqueue(const ParsedJobSpec& spec, const Origin& origin) {
  EnqueueRequest req{spec.spec, origin, std::nullopt, 0};
  BATON_ASSIGN_OR_RETURN(EnqueueOutcome out, store_.Enqueue(req, clock_.NowMs()));
  if (!out.existed) WakeRunner();
  return out;
}

Result<ParsedChain> JobService::ParseChain(const json& steps, std::optional<JobId> after,
                                           DepCondition after_condition) const {
  if (!steps.is_array() || steps.empty())
    return Status::InvalidArgument("`steps` must be a non-empty array of job specs");
  if (steps.size() > 100) return Status::InvalidArgument("`steps` may have at most 100 entries");
  ParsedChain chain{{}, after, after_condition};
  std::vector<std::string> names;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string where = "steps[" + std::to_string(i) + "].";
    BATON_ASSIGN_OR_RETURN(ParsedJobSpec step,
                           Parse(steps[i], where, true, i > 0 || after.has_value()));
    const std::string& name = step.spec.name;
    if (!name.empty()) {
      if (std::find(names.begin(), names.end(), name) != names.end())
        return Status::InvalidArgument("`" + where + "name` \"" + name + "\" is used twice");
      names.push_back(name);
    }
    chain.steps.push_back(std::move(step));
  }
  // {{steps.NAME.*}} must name a step of this chain or of the chain `after` extends: a typo
  // fails now, not after the build it follows has run.
  std::optional<JobId> after_chain;
  if (after)
    if (auto prev = store_.Get(*after); prev.ok()) after_chain = prev->chain_id.value_or(prev->id);
  for (size_t i = 0; i < chain.steps.size(); ++i) {
    const std::string where = "steps[" + std::to_string(i) + "].";
    for (const auto& [name, field] : StepReferences(chain.steps[i].spec, where)) {
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      if (after_chain) {
        auto found = store_.FindChainStep(*after_chain, name);
        if (!found.ok() || *found) continue;  // a storage error is the run's to report
      }
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      return Status::InvalidArgument(
          "`" + field + "` uses {{steps." + name + ".*}} but no step of the chain is named \"" +
          name + "\"" + DidYouMean(name, names) +
          (known.empty() ? "; give the step it means \"name\": \"" + name + "\""
                         : "; the named steps are: " + known));
    }
  }
  return chain;
}

Result<std::vector<EnqueueOutcome>> JobService::Chain(const ParsedChain& chain,
                                                      const Origin& origin) {
  const std::optional<JobId>& after = chain.after;
  const size_t count = chain.steps.size();
  std::optional<JobId> chain_id;
  int base_depth = 0;
  if (after) {
    BATON_ASSIGN_OR_RETURN(Job prev, store_.Get(*after));
    chain_id = prev.chain_id.value_or(prev.id);
    base_depth = prev.chain_step + 1;
  }
  std::vector<EnqueueRequest> reqs;
  for (size_t i = 0; i < count; ++i) {
    JobSpec spec = chain.steps[i].spec;
    {  // Each step is a job: checked as one, before any is written.
      JobCheck check;
      check.origin = "chain";
      check.spec = JobSpecToJson(spec);
      check.on_behalf_of = origin;
      check.chain_depth = base_depth + static_cast<int>(i);
      if (i == 0 && after) check.chain_parent = *after;
      check.source = {{"step", i}, {"steps", count}};
      if (after) check.source["after"] = *after;
      if (Status s = CheckJob(check); !s.ok())
        return Status::PermissionDenied("steps[" + std::to_string(i) + "]: " + s.message());
    }
    // The chain edge comes first: it is the step's predecessor ({{prev.*}}).
    Dependency edge;
    if (i == 0 && after) {
      edge = {*after, chain.after_condition};
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
    // The job's end event wakes us (the runner rings the watcher); the bound only covers a lost
    // ring. A cancellation (notifications/cancelled, shutdown) is seen within kCancelCheckMs,
    // without re-reading the jobs.
    int64_t until = std::min({deadline, next_progress, now + kLostRingBoundMs});
    while (!(cancelled && cancelled->load())) {
      int64_t left = until - MonotonicMs();
      if (left <= 0) break;
      int64_t slice = cancelled ? std::min(left, kCancelCheckMs) : left;
      if (watcher_.WaitForChange(gen, static_cast<int>(slice)) != gen) break;
    }
  }
}

Result<CancelOutcome> JobService::Cancel(JobId id, bool cascade, const std::string& reason) {
  BATON_ASSIGN_OR_RETURN(CancelOutcome out, store_.Cancel(id, cascade, reason, clock_.NowMs()));
  if (out.state == JobState::kRunning) WakeRunner();  // it kills, then rings everyone
  else JobWatcher::RingAll(store_);  // no runner involved: other front-ends' waits hear it here
  watcher_.Notify();
  return out;
}

}  // namespace baton
