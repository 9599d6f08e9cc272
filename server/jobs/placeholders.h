// server/jobs/placeholders.h
//
// How a chained job receives its predecessor's result: `{{prev.stdout}}`, `{{prev.stderr}}`,
// `{{prev.exit_code}}`, `{{prev.job_id}}`, `{{prev.state}}` and `{{steps.NAME.<same>}}` in argv,
// env values and stdin are replaced just before the job starts. Outputs have trailing newlines
// removed (like shell command substitution). `{{{{` escapes to a literal `{{`. Every job, chained
// or not, also has `{{attempt}}` (its attempt number, from 1) and `{{last_error}}` (a summary of
// its previous attempt's failure, server/runner/failure_summary.h; "" on the first attempt), in
// `verify.command` too. Pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace baton {

// A placeholder reference, parsed: scope "prev" or a step name, and the field; or one of the job's
// own attempt (`own`: field "attempt" or "last_error", no step).
struct PlaceholderRef {
  std::string step;   // empty for prev
  std::string field;  // stdout, stderr, exit_code, job_id, state; attempt, last_error when own
  bool own = false;   // {{attempt}}, {{last_error}}: needs no predecessor
};

// Every placeholder in `text`; InvalidArgument naming the bad one otherwise.
Result<std::vector<PlaceholderRef>> FindPlaceholders(std::string_view text);

// Replaces every placeholder with lookup(ref); an error from lookup is returned as is.
Result<std::string> ExpandPlaceholders(
    std::string_view text, const std::function<Result<std::string>(const PlaceholderRef&)>& lookup);

}  // namespace baton
