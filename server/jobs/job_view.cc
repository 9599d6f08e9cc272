#include "server/jobs/job_view.h"

#include "base/json_parse.h"
#include "base/rfc3339.h"
#include "server/jobs/job_worktree.h"

namespace baton {

using nlohmann::json;

namespace {

// The last `n` bytes, cut at a UTF-8 character boundary.
std::string ByteTail(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t start = s.size() - n;
  while (start < s.size() && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) ++start;
  return s.substr(start);
}

// The error an agent does not need when the exit code already says it.
bool ErrorRepeatsExitCode(const Job& job) {
  return job.exit_code && job.error == "exited with code " + std::to_string(*job.exit_code);
}

// How its latest attempt failed ("verify_failed", "timeout", ...) while that failure stands: the
// job ended on it or waits to try again. Null otherwise, and for a plain non-zero exit (its
// exit_code says so).
json ErrorKind(const Job& job) {
  if (!job.last_outcome || *job.last_outcome == AttemptOutcome::kSucceeded ||
      *job.last_outcome == AttemptOutcome::kFailed)
    return nullptr;
  switch (job.state) {
    case JobState::kFailed:
    case JobState::kDead:
    case JobState::kPending:
    case JobState::kQueued:
      return ToString(*job.last_outcome);
    default:
      return nullptr;
  }
}

// What the lean view shows of a job's attempts and its next try.
void AddAttemptFacts(const Job& job, json& v) {
  if (job.attempt > 1 || job.spec.retry.max_attempts > 1) {
    v["attempt"] = job.attempt;
    v["max_attempts"] = job.spec.retry.max_attempts;
    // After a manual retry, max_attempts counts from here (attempt numbers continue).
    if (job.attempt_base > 0) v["attempts_before_retry"] = job.attempt_base;
  }
  if (job.state == JobState::kPending && job.run_at_ms > job.created_ms)
    v["run_at"] = FormatRfc3339Ms(job.run_at_ms);  // a delay, or the next retry after a backoff
}

void AddTails(const Job& job, const JobViewOptions& o, json& v) {
  if (!o.output) return;
  if (!job.stdout_tail.empty()) v["stdout_tail"] = OutputTail(job.stdout_tail, o.tail_bytes);
  if (!job.stderr_tail.empty()) v["stderr_tail"] = OutputTail(job.stderr_tail, o.tail_bytes);
}

json LeanView(const Job& job, const JobViewOptions& o) {
  json v = {{"job_id", job.id}, {"state", ToString(job.state)}};
  if (!job.spec.name.empty()) v["name"] = job.spec.name;
  if (job.exit_code && *job.exit_code != 0) v["exit_code"] = *job.exit_code;
  if (job.signal) v["signal"] = *job.signal;
  if (json kind = ErrorKind(job); !kind.is_null()) v["error_kind"] = kind;
  if (!job.error.empty() && !ErrorRepeatsExitCode(job)) v["error"] = job.error;
  AddAttemptFacts(job, v);
  if (job.started_ms && job.finished_ms) v["duration_ms"] = *job.finished_ms - *job.started_ms;
  if (job.cancel_requested && job.state == JobState::kRunning) v["cancel_requested"] = true;
  if (job.state == JobState::kPending && !job.spec.depends_on.empty()) {
    json deps = json::array();  // what it waits for
    for (const auto& d : job.spec.depends_on) deps.push_back(d.job_id);
    v["depends_on"] = deps;
  }
  AddTails(job, o, v);
  return v;
}

}  // namespace

std::string OutputTail(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  std::string tail = ByteTail(s, n);
  // Start at a line: drop the partial first line unless the tail is one partial line.
  size_t nl = tail.find('\n');
  if (s[s.size() - tail.size() - 1] != '\n' && nl != std::string::npos && nl + 1 < tail.size())
    tail.erase(0, nl + 1);
  return tail;
}

// An isolated job's branch, and once an attempt has ended what it changed (job_worktree.h).
static void AddWorktree(const Job& job, const std::optional<Attempt>& attempt, json& v) {
  if (job.spec.isolation != "worktree") return;
  json w = attempt && !attempt->worktree.empty() ? ParseJsonOrDiscarded(attempt->worktree) : json();
  if (!w.is_object()) w = {{"branch", JobWorktreeBranch(job.id)}, {"base", job.spec.base_ref}};
  v["worktree"] = std::move(w);
}

json JobView(const Job& job, const std::optional<Attempt>& attempt, const JobViewOptions& o) {
  if (!o.verbose) {
    json v = LeanView(job, o);
    AddWorktree(job, attempt, v);
    return v;
  }
  json v = {{"job_id", job.id},
            {"state", ToString(job.state)},
            {"queue", job.spec.queue},
            {"command", job.spec.command},
            {"attempt", job.attempt},
            {"max_attempts", job.spec.retry.max_attempts},
            {"created_at", FormatRfc3339Ms(job.created_ms)}};
  if (!job.spec.name.empty()) v["name"] = job.spec.name;
  // After a manual retry, max_attempts counts from here (attempt numbers continue).
  if (job.attempt_base > 0) v["attempts_before_retry"] = job.attempt_base;
  if (job.exit_code) v["exit_code"] = *job.exit_code;
  if (job.signal) v["signal"] = *job.signal;
  if (json kind = ErrorKind(job); !kind.is_null()) v["error_kind"] = kind;
  if (!job.error.empty()) v["error"] = job.error;
  if (job.state == JobState::kPending && job.run_at_ms > job.created_ms)
    v["run_at"] = FormatRfc3339Ms(job.run_at_ms);
  if (job.started_ms) v["started_at"] = FormatRfc3339Ms(*job.started_ms);
  if (job.finished_ms) v["finished_at"] = FormatRfc3339Ms(*job.finished_ms);
  if (job.started_ms && job.finished_ms) v["duration_ms"] = *job.finished_ms - *job.started_ms;
  if (job.state == JobState::kRunning && attempt && attempt->pid) v["pid"] = *attempt->pid;
  if (job.cancel_requested && job.state == JobState::kRunning) v["cancel_requested"] = true;
  if (job.chain_id) v["chain_id"] = *job.chain_id;
  if (!job.spec.depends_on.empty()) {
    json deps = json::array();
    for (const auto& d : job.spec.depends_on) deps.push_back(d.job_id);
    v["depends_on"] = deps;
  }
  if (!job.spec.labels.empty()) v["labels"] = job.spec.labels;
  AddWorktree(job, attempt, v);
  AddTails(job, o, v);
  return v;
}

json JobRow(const Job& job, bool verbose) {
  std::string cmd;
  for (const auto& a : job.spec.command) cmd += (cmd.empty() ? "" : " ") + a;
  const size_t max_cmd = verbose ? 80 : 48;
  if (cmd.size() > max_cmd) {
    size_t end = max_cmd - 3;  // at a UTF-8 character boundary
    while (end > 0 && (static_cast<unsigned char>(cmd[end]) & 0xC0) == 0x80) --end;
    cmd = cmd.substr(0, end) + "...";
  }
  if (!verbose) {  // what tells the rows apart and what to act on
    json r = {{"job_id", job.id}, {"state", ToString(job.state)}};
    if (!job.spec.name.empty()) r["name"] = job.spec.name;
    else r["command"] = cmd;
    if (job.exit_code && *job.exit_code != 0) r["exit_code"] = *job.exit_code;
    if (json kind = ErrorKind(job); !kind.is_null()) r["error_kind"] = kind;
    if (job.spec.queue != kDefaultQueue) r["queue"] = job.spec.queue;
    return r;
  }
  json r = {{"job_id", job.id},
            {"state", ToString(job.state)},
            {"queue", job.spec.queue},
            {"command", cmd},
            {"attempt", job.attempt},
            {"created_at", FormatRfc3339Ms(job.created_ms)}};
  if (!job.spec.name.empty()) r["name"] = job.spec.name;
  if (job.finished_ms) r["finished_at"] = FormatRfc3339Ms(*job.finished_ms);
  if (job.state == JobState::kPending && job.run_at_ms > job.created_ms)
    r["run_at"] = FormatRfc3339Ms(job.run_at_ms);
  if (job.exit_code) r["exit_code"] = *job.exit_code;
  if (json kind = ErrorKind(job); !kind.is_null()) r["error_kind"] = kind;
  if (!job.error.empty()) r["error"] = job.error.size() > 200 ? job.error.substr(0, 197) + "..." : job.error;
  if (!job.spec.labels.empty()) r["labels"] = job.spec.labels;
  return r;
}

const json& JobRowSchema() {
  static const json kSchema = {
      {"type", "object"},
      {"properties",
       {{"job_id", {{"type", "integer"}}},
        {"state", {{"type", "string"}}},
        {"queue", {{"type", "string"}}},
        {"command", {{"type", "string"}}},
        {"name", {{"type", "string"}}},
        {"attempt", {{"type", "integer"}}},
        {"created_at", {{"type", "string"}}},
        {"finished_at", {{"type", "string"}}},
        {"run_at", {{"type", "string"}}},
        {"exit_code", {{"type", "integer"}}},
        {"error_kind", {{"type", "string"}}},
        {"error", {{"type", "string"}}},
        {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}},
      {"required", {"job_id", "state"}}};
  return kSchema;
}

json AttemptsView(const std::vector<Attempt>& attempts) {
  json out = json::array();
  for (const Attempt& a : attempts) {
    json v = {{"number", a.number}, {"started_at", FormatRfc3339Ms(a.started_ms)}};
    v["outcome"] = a.outcome ? ToString(*a.outcome) : "running";
    if (a.ended_ms) v["ended_at"] = FormatRfc3339Ms(*a.ended_ms);
    if (a.exit_code) v["exit_code"] = *a.exit_code;
    if (a.signal) v["signal"] = *a.signal;
    if (!a.error.empty()) v["error"] = a.error.size() > 200 ? a.error.substr(0, 197) + "..." : a.error;
    if (!a.worktree.empty()) v["worktree"] = ParseJsonOrDiscarded(a.worktree);
    out.push_back(std::move(v));
  }
  return out;
}

json ScheduleView(const Schedule& s) {
  json v = {{"name", s.name},
            {"cron", s.cron},
            {"tz", s.tz},
            {"catch_up", ToString(s.catch_up)},
            {"next_run_at", FormatRfc3339Ms(s.next_run_ms)},
            {"missed_runs", s.missed_runs},
            {"spec", ParseJsonOrDiscarded(s.spec_json)}};
  if (s.last_run_ms) v["last_run_at"] = FormatRfc3339Ms(*s.last_run_ms);
  if (s.last_job_id) v["last_job_id"] = *s.last_job_id;
  if (s.last_missed_ms) v["last_missed_at"] = FormatRfc3339Ms(*s.last_missed_ms);
  return v;
}

const json& JobViewSchema() {
  static const json kSchema = {
      {"type", "object"},
      {"properties",
       {{"job_id", {{"type", "integer"}}},
        {"state",
         {{"type", "string"},
          {"enum", {"pending", "queued", "running", "succeeded", "failed", "dead", "cancelled",
                    "skipped"}}}},
        {"queue", {{"type", "string"}}},
        {"command", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"name", {{"type", "string"}}},
        {"attempt", {{"type", "integer"}}},
        {"max_attempts", {{"type", "integer"}}},
        {"attempts_before_retry", {{"type", "integer"}}},
        {"exit_code", {{"type", "integer"}}},
        {"signal", {{"type", "integer"}}},
        {"error_kind",
         {{"type", "string"},
          {"description", "How the latest attempt failed: failed, timeout, verify_failed, ..."}}},
        {"error", {{"type", "string"}}},
        {"pid", {{"type", "integer"}}},
        {"run_at", {{"type", "string"}}},
        {"created_at", {{"type", "string"}}},
        {"started_at", {{"type", "string"}}},
        {"finished_at", {{"type", "string"}}},
        {"duration_ms", {{"type", "integer"}}},
        {"cancel_requested", {{"type", "boolean"}}},
        {"chain_id", {{"type", "integer"}}},
        {"depends_on", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
        {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
        {"attempts", {{"type", "array"}, {"items", {{"type", "object"}}}}},
        {"worktree",
         {{"type", "object"},
          {"properties",
           {{"branch", {{"type", "string"}}},
            {"base", {{"type", "string"}}},
            {"head", {{"type", "string"}}},
            {"files_changed", {{"type", "integer"}}},
            {"insertions", {{"type", "integer"}}},
            {"deletions", {{"type", "integer"}}},
            {"error", {{"type", "string"}}}}}}},
        {"stdout_tail", {{"type", "string"}}},
        {"stderr_tail", {{"type", "string"}}}}},
      {"required", {"job_id", "state"}}};
  return kSchema;
}

}  // namespace baton
