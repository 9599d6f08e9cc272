// base/did_you_mean.h
//
// The closest known name to a misspelt one, for errors that say "did you mean ...?" (agents
// often guess argument names: `timeout` for `timeout_seconds`, `cmd` for `command`). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace baton {

// The name of `known` closest to `word` (edit distance, case-insensitive; a known name that
// starts with or contains `word` counts as close), or "" when none is close enough to suggest.
std::string ClosestName(std::string_view word, const std::vector<std::string>& known);

// " (did you mean `NAME`?)" for the closest name, or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& known);

}  // namespace baton
