// server/runner/failure_summary.h
//
// What went wrong in an attempt, said briefly enough to hand to the next one: `{{last_error}}`
// (server/jobs/placeholders.h) is SummarizeFailure() of the previous attempt, so that a retry is
// not a blind repeat (an agent job can be told what its verifier said). Also the error text of a
// `verify_failed` attempt, whose verifier's last lines are what the next attempt needs. Bounded:
// at most kFailureTailLines lines and kFailureSummaryMaxBytes bytes, cut at UTF-8 boundaries.
// Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "storage/job.h"
#include "storage/job_options.h"

namespace baton {

inline constexpr int kFailureTailLines = kLastErrorMaxLines;
inline constexpr size_t kFailureSummaryMaxBytes = kLastErrorMaxBytes;

// The last `max_lines` lines of `text` within `max_bytes` bytes (whole lines when they fit, else
// the end of the first line kept, from a UTF-8 character boundary); trailing newlines removed.
std::string LastLines(std::string_view text, int max_lines = kFailureTailLines,
                      size_t max_bytes = kFailureSummaryMaxBytes);

// How a verifier ended, for the error of a `verify_failed` attempt: "verify command exited with
// code 1" (or "... killed by signal N", "... timed out after S s"), then ":\n" and the last
// lines of its stdout and stderr when it printed anything.
std::string VerifyFailureText(std::optional<int> exit_code, std::optional<int> signal,
                              std::optional<double> timed_out_after_s, std::string_view stdout_tail,
                              std::string_view stderr_tail);

// `{{last_error}}` for a finished, failed `attempt`: "attempt N <outcome>: <error>", then the last
// lines of its stderr (`stderr_tail`) unless its error already carries a verifier's output. ""
// for an attempt that succeeded or has not ended.
std::string SummarizeFailure(const Attempt& attempt, std::string_view stderr_tail);

}  // namespace baton
