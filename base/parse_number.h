// base/parse_number.h
//
// The one way baton reads a number out of text (command-line flags, environment variables, ids
// in URIs and cursors): the whole text must be the number (no spaces, no trailing junk, no
// "0x"), and it must lie in [min, max]. Built on std::from_chars, so nothing is locale-dependent
// and nothing throws. Errors are InvalidArgument and name `what` (a flag such as "--priority",
// a field such as "`cursor`") with the accepted range and the text that was given, e.g.
//   --priority must be an integer from -1000 to 1000, got "abc"
// Pure functions.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "base/result.h"

namespace baton {

// A decimal integer, optionally negative.
Result<int64_t> ParseInt64(std::string_view text, std::string_view what,
                           int64_t min = std::numeric_limits<int64_t>::min(),
                           int64_t max = std::numeric_limits<int64_t>::max());

// A finite decimal number ("30", "0.5", "1e3"); "inf" and "nan" are rejected.
Result<double> ParseDouble(std::string_view text, std::string_view what,
                           double min = std::numeric_limits<double>::lowest(),
                           double max = std::numeric_limits<double>::max());

}  // namespace baton
