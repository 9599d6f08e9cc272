// storage/job_options.h
//
// Every default of a job's options, in one place (docs and README quote these).
#pragma once

namespace baton {

inline constexpr const char* kDefaultQueue = "default";
inline constexpr int kDefaultMaxAttempts = 1;  // no retry unless asked
inline constexpr double kDefaultRetryInitialDelaySeconds = 1.0;
inline constexpr double kDefaultRetryMultiplier = 2.0;
inline constexpr double kDefaultRetryMaxDelaySeconds = 300.0;
inline constexpr int kMaxAttemptsLimit = 100;
inline constexpr double kMaxTimeoutSeconds = 7 * 24 * 3600.0;
inline constexpr int kMaxCommandArgs = 4096;
// `verify.timeout_seconds` when not given; a verifier may run at most kMaxTimeoutSeconds.
inline constexpr double kDefaultVerifyTimeoutSeconds = 600.0;

// Ranges of the numeric fields of a spec (ParseJobSpec rejects anything outside, naming the
// field): priority, delay_seconds, retry delays and multiplier, depends_on. `run_at` may be any
// RFC 3339 time up to 2262-04-11T23:47:16Z (nanoseconds since 1970 must fit in 64 bits:
// base/rfc3339.h); a past time runs at once.
inline constexpr int kMinPriority = -1000;
inline constexpr int kMaxPriority = 1000;
inline constexpr double kMaxDelaySeconds = 365 * 86400.0;
inline constexpr double kMaxRetryDelaySeconds = 86400.0;
inline constexpr double kMaxRetryMultiplier = 100.0;
inline constexpr int kMaxDependsOn = 1000;  // ids in one job's depends_on

// `stdin` as given is at most kMaxStdinBytes; with its placeholders expanded
// ({{prev.stdout}} is up to kPlaceholderMaxBytes each) it can never exceed
// kMaxExpandedStdinBytes: a spec whose worst case would is rejected at enqueue.
inline constexpr long kMaxStdinBytes = 1L << 20;
inline constexpr long kMaxExpandedStdinBytes = 16L << 20;
// The same worst case for argv and env values together (the kernel's own limit, ARG_MAX, is
// a few MiB: beyond that the job could not start anyway).
inline constexpr long kMaxExpandedArgsBytes = 16L << 20;

// Output: each stream of an attempt is written to a file up to this many bytes; the rest is
// counted and dropped. The database keeps the last kOutputTailBytes of each stream.
inline constexpr long kOutputFileCapBytes = 16L << 20;
inline constexpr int kOutputTailBytes = 4096;
// {{last_error}} (the previous attempt's failure, server/runner/failure_summary.h) is at most this
// many lines and bytes.
inline constexpr int kLastErrorMaxLines = 20;
inline constexpr long kLastErrorMaxBytes = 2048;
// {{prev.stdout}} expands to at most this much of the predecessor's output.
inline constexpr long kPlaceholderMaxBytes = 1L << 20;

// Grace between SIGTERM and SIGKILL when a job is cancelled or times out.
inline constexpr double kKillGraceSeconds = 5.0;

// Queues: jobs at once across all queues of one database when the runner is not told
// (--concurrency): 0 means the number of cores. A queue has no limit of its own until one is set
// (queue tool / `baton queue limit`), and is not paused.
inline constexpr int kDefaultRunnerConcurrency = 0;

// Idempotency: an enqueue whose idempotency_key was used by a job created within this window
// returns that job (flag --idempotency-window / env BATON_IDEMPOTENCY_WINDOW, in seconds).
inline constexpr double kDefaultIdempotencyWindowSeconds = 24 * 3600.0;
inline constexpr double kMaxIdempotencyWindowSeconds = 365 * 86400.0;

// Schedules: a cron run is "missed" when no runner fired it within this long of its time; it
// then gets a `missed` event and the schedule's catch-up policy (default skip) applies.
inline constexpr double kScheduleMissedAfterSeconds = 60.0;
inline constexpr const char* kDefaultScheduleTimeZone = "UTC";

// Retention: finished jobs (with attempts, events and output files) older than this are pruned
// by the runner, checked every kRetentionIntervalSeconds (runner flag --retention-days; 0 keeps
// everything).
inline constexpr double kDefaultRetentionDays = 14.0;
inline constexpr double kRetentionIntervalSeconds = 3600.0;

// Runners: a runner writes a heartbeat this often; a front-end that sees the lock holder's
// heartbeat older than kRunnerStaleSeconds reports the runner as hung (loudly: log + `jobs`).
inline constexpr double kRunnerHeartbeatSeconds = 5.0;
inline constexpr double kRunnerStaleSeconds = 60.0;

}  // namespace baton
