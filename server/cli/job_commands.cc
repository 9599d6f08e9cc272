// The job CLI for people: baton enqueue / status / jobs / cancel / logs.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <limits>

#include "base/clock.h"
#include "base/parse_number.h"
#include "base/rfc3339.h"
#include "server/cli/commands.h"
#include "server/cli/flags.h"
#include "server/front_end.h"
#include "server/jobs/job_view.h"
#include "server/cli/logging.h"
#include "server/cli/serve_flags.h"
#include "server/cli/terminal_progress.h"
#include "server/jobs/job_worktree.h"
#include "storage/job_options.h"

namespace baton {

using nlohmann::json;

namespace {

// How often the progress line of status --wait and logs -f is redrawn on a terminal.
constexpr int64_t kProgressRedrawMs = 500;

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "baton: %s\n", message.c_str());
  return code;
}

// `progress_interval_ms`: how often a status wait reports progress (the progress line's redraws).
Result<std::unique_ptr<FrontEnd>> OpenFrontEnd(const Flags& flags,
                                               std::optional<int64_t> progress_interval_ms = {}) {
  (void)SetUpLogging(flags.Get("log-level").value_or("warn"), "", "cli");
  FrontEndOptions fo;
  fo.progress_interval_ms = progress_interval_ms;
  // Commands that take the policy flags (retry) check what they create with that policy.
  BATON_RETURN_IF_ERROR(ApplyPolicyFlags(flags, &fo.policy));
  fo.db_path = flags.Get("db").value_or("");
  fo.runner_args = {"--idle-exit", "30"};
  // A runner this command starts judges expanded placeholders with the same policy.
  for (const std::string& a : PolicyFlagsAsArgs(flags)) fo.runner_args.push_back(a);
  if (flags.Get("idempotency-window")) {
    BATON_ASSIGN_OR_RETURN(double w, flags.Number("idempotency-window", 0, 0,
                                                  kMaxIdempotencyWindowSeconds));
    fo.idempotency_window_ms = static_cast<int64_t>(w * 1000);
  }
  return FrontEnd::Open(fo);
}

// How the latest attempt ended: its exit code, "sig N", or "-" (not ended, or no attempt).
std::string ExitText(const Job& j) {
  if (j.exit_code) return std::to_string(*j.exit_code);
  if (j.signal) return "sig " + std::to_string(*j.signal);
  return "-";
}

// The latest attempt's run time (still running: so far), e.g. 0.4s, 3m05s, 2h10m; "-" when it
// has not started.
std::string DurationText(const Job& j, int64_t now_ms) {
  if (!j.started_ms) return "-";
  int64_t end = j.state == JobState::kRunning ? now_ms : j.finished_ms.value_or(j.updated_ms);
  return ElapsedText(end - *j.started_ms);
}

Result<JobId> ParseId(const Flags& flags) {
  if (flags.positional.size() != 1) return Status::InvalidArgument("give exactly one job id");
  return ParseInt64(flags.positional[0], "the job id", 1, std::numeric_limits<int64_t>::max());
}

// The numeric flags of a job spec, range-checked here so that a typo is a usage error (exit 2)
// naming the flag, not a silent 0; ParseJobSpec checks the same ranges again.
Status AddSpecNumbers(const Flags& flags, json& spec) {
  if (flags.Get("priority")) {
    BATON_ASSIGN_OR_RETURN(int64_t p, flags.Integer("priority", 0, kMinPriority, kMaxPriority));
    spec["priority"] = p;
  }
  if (flags.Get("timeout")) {
    BATON_ASSIGN_OR_RETURN(double t, flags.Number("timeout", 0, 0, kMaxTimeoutSeconds));
    spec["timeout_seconds"] = t;
  }
  if (flags.Get("delay")) {
    BATON_ASSIGN_OR_RETURN(double d, flags.Number("delay", 0, 0, kMaxDelaySeconds));
    spec["delay_seconds"] = d;
  }
  if (flags.Get("max-attempts")) {
    BATON_ASSIGN_OR_RETURN(int64_t m, flags.Integer("max-attempts", 1, 1, kMaxAttemptsLimit));
    spec["retry"] = {{"max_attempts", m}};
  }
  return Status::OK();
}

}  // namespace

int EnqueueCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "queue", "priority", "timeout", "delay", "cwd", "log-level",
                                 "idempotency-key", "idempotency-window", "max-attempts", "isolation",
                                 "base-ref"}, {});
  if (!flags.ok()) return Fail(flags.status().message() + "\nusage: baton enqueue [--queue Q] [--timeout S] [--delay S] [--cwd DIR]\n"
                                       "         [--isolation worktree [--base-ref REF]] -- CMD ARG...", 2);
  if (flags->positional.empty()) return Fail("usage: baton enqueue [--queue Q] -- CMD ARG...", 2);
  json spec = {{"command", flags->positional}};
  if (Status s = AddSpecNumbers(*flags, spec); !s.ok()) return Fail(s.message(), 2);
  if (flags->Get("idempotency-window")) {  // checked before the database is opened
    auto w = flags->Number("idempotency-window", 0, 0, kMaxIdempotencyWindowSeconds);
    if (!w.ok()) return Fail(w.status().message(), 2);
  }
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  if (auto q = flags->Get("queue")) spec["queue"] = *q;
  if (auto c = flags->Get("cwd")) spec["cwd"] = *c;
  if (auto k = flags->Get("idempotency-key")) spec["idempotency_key"] = *k;
  if (auto i = flags->Get("isolation")) spec["isolation"] = *i;
  if (auto b = flags->Get("base-ref")) spec["base_ref"] = *b;
  auto out = (*fe)->jobs().Enqueue(spec, {"", LocalUser()});
  if (!out.ok()) return Fail(out.status().message());
  std::printf("%lld\n", static_cast<long long>(out->id));
  return 0;
}

int StatusCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "wait", "log-level"}, {"json"});
  if (!flags.ok()) return Fail(flags.status().message(), 2);
  auto id = ParseId(*flags);
  if (!id.ok()) return Fail(id.status().message() + "\nusage: baton status ID [--wait SECONDS] [--json]", 2);
  auto wait = flags->Number("wait", 0);
  if (!wait.ok()) return Fail(wait.status().message(), 2);
  ProgressLine progress(stderr, *wait > 0 && ProgressLine::WantedHere());
  auto fe = OpenFrontEnd(*flags, progress.enabled() ? std::optional<int64_t>(kProgressRedrawMs)
                                                    : std::nullopt);
  if (!fe.ok()) return Fail(fe.status().ToString());
  Result<Job> job = (*fe)->jobs().Get(*id);
  if (job.ok() && *wait > 0 && !IsTerminal(job->state)) {
    progress.Show(JobProgressText(*job, SystemClock::Instance().NowMs()));
    auto jobs = (*fe)->jobs().Wait(
        {*id}, static_cast<int64_t>(*wait * 1000),
        [&](const std::vector<Job>& now) {
          progress.Show(JobProgressText(now.front(), SystemClock::Instance().NowMs()));
        },
        nullptr);
    progress.Clear();  // the job's view follows
    if (jobs.ok()) job = jobs->front();
  }
  if (!job.ok()) return Fail(job.status().message());
  auto attempts = (*fe)->jobs().Attempts(*id);
  std::optional<Attempt> latest;
  if (attempts.ok() && !attempts->empty()) latest = attempts->back();
  json v = JobView(*job, latest, {.tail_bytes = 2000, .verbose = true});  // for a person
  std::printf("%s\n", v.dump(flags->Has("json") ? -1 : 2).c_str());
  return IsTerminal(job->state) && job->state != JobState::kSucceeded ? 3 : 0;
}

int JobsCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "state", "queue", "label", "limit", "before", "log-level"}, {"json"});
  if (!flags.ok()) return Fail(flags.status().message() + "\nusage: baton jobs [--state S] [--queue Q] [--label K=V] [--limit N] [--before ID] [--json]", 2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  JobFilter f;
  if (auto s = flags->Get("state")) {
    auto st = JobStateFromString(*s);
    if (!st) return Fail("unknown state " + *s, 2);
    f.states.push_back(*st);
  }
  f.queue = flags->Get("queue").value_or("");
  if (auto l = flags->Get("label")) {
    size_t eq = l->find('=');
    if (eq == std::string::npos) return Fail("--label needs KEY=VALUE", 2);
    f.label_key = l->substr(0, eq);
    f.label_value = l->substr(eq + 1);
  }
  auto limit = flags->Integer("limit", 50, 1, 1000000);
  if (!limit.ok()) return Fail(limit.status().message(), 2);
  f.limit = static_cast<int>(*limit);
  if (flags->Get("before")) {
    auto before = flags->Integer("before", 0, 1, std::numeric_limits<int64_t>::max());
    if (!before.ok()) return Fail(before.status().message(), 2);
    f.before_id = *before;
  }
  auto jobs = (*fe)->jobs().List(f);
  if (!jobs.ok()) return Fail(jobs.status().message());
  const int64_t now_ms = SystemClock::Instance().NowMs();
  for (const Job& j : *jobs) {
    if (flags->Has("json")) {
      std::printf("%s\n", JobView(j, std::nullopt, {.output = false, .verbose = true}).dump().c_str());
      continue;
    }
    std::string cmd;
    for (const auto& a : j.spec.command) cmd += (cmd.empty() ? "" : " ") + a;
    if (cmd.size() > 60) cmd = cmd.substr(0, 57) + "...";
    // id, state, queue, created, exit code and run time of the latest attempt, command.
    std::printf("%-8lld %-10s %-10s %-24s %-6s %-8s %s\n", static_cast<long long>(j.id),
                ToString(j.state), j.spec.queue.c_str(), FormatRfc3339Ms(j.created_ms).c_str(),
                ExitText(j).c_str(), DurationText(j, now_ms).c_str(), cmd.c_str());
  }
  return 0;
}

int CancelCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "reason", "log-level"}, {"no-cascade"});
  if (!flags.ok()) return Fail(flags.status().message(), 2);
  auto id = ParseId(*flags);
  if (!id.ok()) return Fail(id.status().message() + "\nusage: baton cancel ID [--no-cascade] [--reason TEXT]", 2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  auto out = (*fe)->jobs().Cancel(*id, !flags->Has("no-cascade"), flags->Get("reason").value_or(""));
  if (!out.ok()) return Fail(out.status().message());
  std::printf("job %lld: %s\n", static_cast<long long>(*id),
              out->state == JobState::kRunning ? "cancelling" : ToString(out->state));
  for (JobId c : out->cascaded) std::printf("job %lld: cancelled with it\n", static_cast<long long>(c));
  return 0;
}

int RetryCommand(const Args& args) {
  std::set<std::string> valued = PolicyFlagNames();
  valued.insert({"db", "reason", "log-level"});
  auto flags = ParseFlags(args, valued, {"json"});
  if (!flags.ok()) return Fail(flags.status().message(), 2);
  auto id = ParseId(*flags);
  if (!id.ok())
    return Fail(id.status().message() +
                    "\nusage: baton retry ID [--reason TEXT] [--policy DIR [--policy-data FILE]]\n"
                    "  (with --policy, the job's spec must pass that policy to run again)",
                2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  auto job = (*fe)->jobs().Retry(*id, flags->Get("reason").value_or(""), {"", LocalUser()});
  if (!job.ok())
    return Fail((job.status().code() == StatusCode::kPermissionDenied ? "Denied by policy: " : "") +
                job.status().message());
  if (flags->Has("json")) std::printf("%s\n", JobView(*job, std::nullopt, {.output = false, .verbose = true}).dump().c_str());
  else std::printf("job %lld: %s (attempt numbering continues after %d)\n",
                   static_cast<long long>(*id), ToString(job->state), job->attempt);
  return 0;
}

// `baton gc`: worktrees of isolated jobs that no longer run (their runner died, the job was not
// retried): their work is committed on the job's branch, then they are removed; one whose work
// could not be committed is kept and named.
int GcCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "log-level"}, {});
  if (!flags.ok() || !flags->positional.empty())
    return Fail((flags.ok() ? std::string("unexpected argument") : flags.status().message()) +
                    "\nusage: baton gc [--db PATH]",
                2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  auto report = CollectOrphanWorktrees((*fe)->paths().worktrees_dir, [&](JobId id) {
    auto job = (*fe)->jobs().Get(id);
    // A job retention deleted runs no more; a failed read keeps the worktree.
    if (!job.ok()) return job.status().code() != StatusCode::kNotFound;
    return job->state == JobState::kRunning;
  });
  if (!report.ok()) return Fail(report.status().message());
  for (const std::string& p : report->removed) std::printf("removed %s (work kept on its branch)\n", p.c_str());
  for (const std::string& p : report->kept) std::printf("kept %s\n", p.c_str());
  return report->kept.empty() ? 0 : 1;
}

int QueueCommand(const Args& args) {
  constexpr const char* kUsage =
      "usage: baton queue list | pause QUEUE | resume QUEUE | limit QUEUE N|none";
  auto flags = ParseFlags(args, {"db", "log-level"}, {"json"});
  if (!flags.ok()) return Fail(flags.status().message() + "\n" + kUsage, 2);
  const auto& pos = flags->positional;
  if (pos.empty()) return Fail(kUsage, 2);
  const std::string& action = pos[0];
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  JobService& jobs = (*fe)->jobs();
  Status s;
  if ((action == "pause" || action == "resume") && pos.size() == 2) {
    s = jobs.SetQueuePaused(pos[1], action == "pause");
  } else if (action == "limit" && pos.size() == 3) {
    std::optional<int> limit;
    if (pos[2] != "none") {
      auto n = ParseInt64(pos[2], "the queue limit (N or none)", 1, 10000);
      if (!n.ok()) return Fail(n.status().message() + "\n" + kUsage, 2);
      limit = static_cast<int>(*n);
    }
    s = jobs.SetQueueConcurrency(pos[1], limit);
  } else if (action != "list" || pos.size() != 1) {
    return Fail(kUsage, 2);
  }
  if (!s.ok()) return Fail(s.message());
  auto queues = jobs.ListQueues();
  if (!queues.ok()) return Fail(queues.status().message());
  for (const QueueInfo& q : *queues) {
    std::printf("%-20s %-7s limit=%-5s queued=%lld running=%lld pending=%lld dead=%lld\n",
                q.name.c_str(), q.paused ? "paused" : "active",
                q.concurrency ? std::to_string(*q.concurrency).c_str() : "-",
                static_cast<long long>(q.queued), static_cast<long long>(q.running),
                static_cast<long long>(q.pending), static_cast<long long>(q.dead));
  }
  return 0;
}

int ScheduleCommand(const Args& args) {
  constexpr const char* kUsage =
      "usage: baton schedule create NAME --cron \"M H DOM MON DOW\" [--tz ZONE] "
      "[--catch-up skip|run_once] [--queue Q] [--timeout S] [--cwd DIR] -- CMD ARG...\n"
      "       baton schedule list [--json] | delete NAME";
  auto flags = ParseFlags(args, {"db", "cron", "tz", "catch-up", "queue", "timeout", "cwd",
                                 "log-level"}, {"json"});
  if (!flags.ok()) return Fail(flags.status().message() + "\n" + kUsage, 2);
  const auto& pos = flags->positional;
  if (pos.empty()) return Fail(kUsage, 2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  JobService& jobs = (*fe)->jobs();
  const std::string& action = pos[0];
  if (action == "list" && pos.size() == 1) {
    auto list = jobs.ListSchedules();
    if (!list.ok()) return Fail(list.status().message());
    for (const Schedule& s : *list) {
      if (flags->Has("json")) {
        std::printf("%s\n", ScheduleView(s).dump().c_str());
        continue;
      }
      std::printf("%-20s %-16s %-16s next=%s missed=%lld catch_up=%s\n", s.name.c_str(),
                  s.cron.c_str(), s.tz.c_str(), FormatRfc3339Ms(s.next_run_ms).c_str(),
                  static_cast<long long>(s.missed_runs), ToString(s.catch_up));
    }
    return 0;
  }
  if (action == "delete" && pos.size() == 2) {
    if (Status s = jobs.DeleteSchedule(pos[1]); !s.ok()) return Fail(s.message());
    std::printf("schedule %s: deleted\n", pos[1].c_str());
    return 0;
  }
  if (action != "create" || pos.size() < 3 || !flags->Get("cron")) return Fail(kUsage, 2);
  json spec = {{"command", std::vector<std::string>(pos.begin() + 2, pos.end())}};
  if (auto q = flags->Get("queue")) spec["queue"] = *q;
  if (auto c = flags->Get("cwd")) spec["cwd"] = *c;
  if (Status st = AddSpecNumbers(*flags, spec); !st.ok()) return Fail(st.message(), 2);
  auto catch_up = CatchUpFromString(flags->Get("catch-up").value_or("skip"));
  if (!catch_up) return Fail("--catch-up must be skip or run_once", 2);
  auto s = jobs.CreateSchedule(pos[1], *flags->Get("cron"),
                               flags->Get("tz").value_or(kDefaultScheduleTimeZone), *catch_up,
                               spec, {"", LocalUser()});
  if (!s.ok()) return Fail(s.status().message());
  std::printf("schedule %s: next run %s\n", s->name.c_str(), FormatRfc3339Ms(s->next_run_ms).c_str());
  return 0;
}

int LogsCommand(const Args& args) {
  auto flags = ParseFlags(args, {"db", "attempt", "log-level"}, {"stderr", "follow", "f"});
  if (!flags.ok()) return Fail(flags.status().message(), 2);
  auto id = ParseId(*flags);
  if (!id.ok()) return Fail(id.status().message() + "\nusage: baton logs ID [--attempt N] [--stderr] [--follow]", 2);
  auto fe = OpenFrontEnd(*flags);
  if (!fe.ok()) return Fail(fe.status().ToString());
  auto attempts = (*fe)->jobs().Attempts(*id);
  if (!attempts.ok()) return Fail(attempts.status().message());
  if (attempts->empty()) return Fail("job has not started yet");
  const Attempt* a = &attempts->back();
  if (flags->Get("attempt")) {
    auto n = flags->Integer("attempt", 0, 1, std::numeric_limits<int>::max());
    if (!n.ok()) return Fail(n.status().message(), 2);
    a = nullptr;
    for (const auto& at : *attempts)
      if (at.number == *n) a = &at;
    if (!a) return Fail("no attempt " + std::to_string(*n));
  }
  std::string path = flags->Has("stderr") ? a->stderr_path : a->stdout_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("no output file " + path);
  const bool follow = flags->Has("follow") || flags->Has("f");
  // On a terminal, -f shows the job's state while no output comes; it is drawn only at the start
  // of a line, so that it never splits one, and erased before more output is written.
  ProgressLine progress(stderr, follow && ProgressLine::WantedHere());
  bool at_line_start = true;
  char buf[65536];
  // Writes everything the file holds now; false when it held nothing.
  auto copy_available = [&]() {
    bool any = false;
    while (true) {
      in.read(buf, sizeof buf);
      std::streamsize n = in.gcount();
      if (n <= 0) break;
      if (!any) progress.Clear();
      any = true;
      fwrite(buf, 1, static_cast<size_t>(n), stdout);
      at_line_start = buf[n - 1] == '\n';
    }
    in.clear();  // at end of file: a later read sees what is appended
    if (any) fflush(stdout);
    return any;
  };
  copy_available();
  if (!follow) return 0;
  while (true) {
    auto job = (*fe)->jobs().Get(*id);
    const bool ended = !job.ok() || job->state != JobState::kRunning || job->attempt != a->number;
    // Output written between the last read and the end is read after the end was seen.
    bool wrote = copy_available();
    if (ended) {
      if (job.ok() && progress.enabled()) {
        if (!at_line_start) fputc('\n', stderr);  // the outcome gets a line of its own
        progress.Finish(JobProgressText(*job, SystemClock::Instance().NowMs()));
      }
      break;
    }
    if (!wrote && at_line_start && job.ok())
      progress.Show(JobProgressText(*job, SystemClock::Instance().NowMs()));
    std::this_thread::sleep_for(std::chrono::milliseconds(wrote ? 50 : 200));
  }
  return 0;
}

}  // namespace baton
