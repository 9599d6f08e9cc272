// storage/job.h
//
// The job model shared by every layer: what a job is asked to do (JobSpec), where it stands (Job,
// JobState) and what happened to each try (Attempt). Plain value types; JSON conversion lives in
// storage/job_spec.h. Defaults for every option are in storage/job_options.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/job_options.h"

namespace baton {

using JobId = int64_t;

// The lifecycle (docs/design.md §4). Legal transitions: storage/job_lifecycle.h.
enum class JobState {
  kPending,    // waiting for dependencies or for run_at (a delay or a retry backoff)
  kQueued,     // runnable; waiting for a free slot in its queue
  kRunning,    // an attempt is executing
  kSucceeded,  // terminal: exit code 0
  kFailed,     // terminal: the last attempt failed and is not retried
  kDead,       // terminal: retries were configured and are exhausted (the dead-letter queue)
  kCancelled,  // terminal: cancelled by a client or by a cancelled upstream job
  kSkipped,    // terminal: a dependency ended in a way its edge did not accept
};

const char* ToString(JobState state);
std::optional<JobState> JobStateFromString(std::string_view s);
bool IsTerminal(JobState state);

// Which outcome of an upstream job lets a dependent run.
enum class DepCondition { kSuccess, kFailure, kAlways };
const char* ToString(DepCondition c);

struct Dependency {
  JobId job_id = 0;
  DepCondition condition = DepCondition::kSuccess;
};

enum class Jitter { kFull, kEqual, kNone };

struct RetryPolicy {
  int max_attempts = kDefaultMaxAttempts;
  double initial_delay_s = kDefaultRetryInitialDelaySeconds;
  double multiplier = kDefaultRetryMultiplier;
  double max_delay_s = kDefaultRetryMaxDelaySeconds;
  Jitter jitter = Jitter::kFull;
  // Which failures are retried. An empty `exit_codes` with `on_nonzero` means any non-zero exit.
  bool on_nonzero = true;
  std::vector<int> exit_codes;
  bool on_timeout = true;
  bool on_lost = true;
  bool on_signal = true;
  // A verifier's failure (non-zero exit or timeout). Retried by default; an explicit `retry_on`
  // includes it when it lists "verify_failed" or "nonzero".
  bool on_verify_failed = true;
};

// The check run after the job's command exits 0, in the same cwd and env: its non-zero exit (or
// its timeout) fails the attempt as `verify_failed`.
struct VerifySpec {
  std::vector<std::string> command;  // argv, like JobSpec::command
  double timeout_s = kDefaultVerifyTimeoutSeconds;
};

struct JobSpec {
  std::vector<std::string> command;  // argv; argv[0] is looked up in PATH; never a shell
  std::string cwd;                   // absolute; resolved at enqueue
  std::map<std::string, std::string> env;
  std::optional<std::string> stdin_data;
  std::string queue = kDefaultQueue;
  int priority = 0;  // higher runs first within a queue
  std::optional<int64_t> run_at_ms;
  double timeout_s = 0;             // wall clock; 0 = none
  double inactivity_timeout_s = 0;  // no output for this long; 0 = none
  RetryPolicy retry;
  std::optional<VerifySpec> verify;
  std::optional<std::string> idempotency_key;
  std::vector<Dependency> depends_on;
  std::map<std::string, std::string> labels;
  std::string name;  // optional; chain steps are referred to as {{steps.NAME.*}}
  // "worktree": runs in a git worktree of its own on branch baton/job-<id> (server/jobs/
  // job_worktree.h); "" runs in cwd itself.
  std::string isolation;
  std::string base_ref;  // with isolation: the commit it starts from (resolved at enqueue)
  // Chain steps only: the compensation to run when a later step of the chain fails (saga).
  // Zero or one element (a vector because JobSpec is incomplete here).
  std::vector<JobSpec> on_failure;
};

// Who asked, and from where: recorded with the job and its events.
struct Origin {
  std::string session;    // MCP session id (empty for the CLI)
  std::string principal;  // local user or HTTP token principal
};

enum class AttemptOutcome;  // below, with Attempt

struct Job {
  JobId id = 0;
  JobState state = JobState::kPending;
  JobSpec spec;
  Origin origin;
  int attempt = 0;  // attempts started so far (numbering continues across manual retries)
  // `attempt` when the job was last re-queued by hand (the retry tool): the retry policy counts
  // attempt - attempt_base, so a retried job gets fresh attempts and keeps its history.
  int attempt_base = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t run_at_ms = 0;
  std::optional<int64_t> started_ms;   // of the latest attempt
  std::optional<int64_t> finished_ms;  // when it became terminal
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string error;  // why it failed, was skipped or cancelled
  std::string stdout_tail;
  std::string stderr_tail;
  std::optional<JobId> chain_id;  // the first job of its chain
  int chain_step = 0;
  bool cancel_requested = false;
  // How its latest ended attempt ended (`error_kind` in status and jobs: "verify_failed", ...).
  std::optional<AttemptOutcome> last_outcome;
};

// How one attempt ended, as the runner saw it.
enum class AttemptOutcome {
  kSucceeded,
  kFailed,               // non-zero exit
  kSignaled,             // killed by a signal it did not receive from baton
  kTimeout,              // wall-clock timeout_seconds elapsed; process group killed
  kInactivityTimeout,    // no output for inactivity_timeout_seconds; process group killed
  kCancelled,            // cancelled by request; process group killed
  kLost,                 // its runner died; found by the next runner
  kSpawnError,           // the command could not be started (not found, bad cwd)
  kDenied,               // the policy denied a job the runner created (schedule, compensation)
  kExpansionDenied,      // the policy denied the spec its placeholders expanded to: failed, no retry
  kOutputError,          // its output could not be written (log dir or file unusable, disk full)
  kVerifyFailed,         // the command exited 0 but its verifier failed or timed out
};
const char* ToString(AttemptOutcome o);
std::optional<AttemptOutcome> AttemptOutcomeFromString(std::string_view s);

struct Attempt {
  JobId job_id = 0;
  int number = 0;
  std::string runner_id;
  int64_t started_ms = 0;
  std::optional<int64_t> ended_ms;
  std::optional<int> pid;
  std::optional<int64_t> pid_start_ticks;  // /proc/<pid>/stat field 22: guards against pid reuse
  std::optional<AttemptOutcome> outcome;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string error;
  std::string stdout_path;
  std::string stderr_path;
  std::string worktree;  // isolated jobs: the worktree's summary as JSON (branch, base, head, ...)
};

struct Event {
  int64_t id = 0;
  int64_t ts_ms = 0;
  JobId job_id = 0;
  std::string type;   // "enqueued", "started", "succeeded", ...
  std::string queue;
  std::string data;   // JSON object with details
};

// The few columns of a job that an event's payload carries (docs/events.md), read with the
// event in one query so that publishing never re-parses the job's spec.
struct EventJobSummary {
  std::string state;
  std::string command_json;  // the spec's argv as JSON text, e.g. ["make","test"]
  int attempt = 0;
  int max_attempts = 1;
  std::string name;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string error;
  std::optional<JobId> chain_id;
};

// An unpublished event and its job's summary (absent when the job no longer exists).
struct OutboxEvent {
  Event event;
  std::optional<EventJobSummary> job;
};

}  // namespace baton
