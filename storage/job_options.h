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
inline constexpr int kMaxSpecBytes = 1 << 20;  // a whole spec, stdin included

// Output: each stream of an attempt is written to a file up to this many bytes; the rest is
// counted and dropped. The database keeps the last kOutputTailBytes of each stream.
inline constexpr long kOutputFileCapBytes = 16L << 20;
inline constexpr int kOutputTailBytes = 4096;
// {{prev.stdout}} expands to at most this much of the predecessor's output.
inline constexpr long kPlaceholderMaxBytes = 1L << 20;

// Grace between SIGTERM and SIGKILL when a job is cancelled or times out.
inline constexpr double kKillGraceSeconds = 5.0;

}  // namespace baton
