// base/rfc3339.h
//
// RFC 3339 timestamps ("2026-11-24T10:32:00.250Z", "2026-11-24T11:32:00+01:00") to and from
// nanoseconds since the Unix epoch. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace baton {

// Nanoseconds since the epoch in int64 cover 1677-09-21T00:12:43.145224192Z to
// 2262-04-11T23:47:16.854775807Z; a later (or earlier) time cannot be represented.
inline constexpr const char* kRfc3339LatestNs = "2262-04-11T23:47:16.854775807Z";
inline constexpr const char* kRfc3339EarliestNs = "1677-09-21T00:12:43.145224192Z";

// Nanoseconds since the epoch. InvalidArgument when `text` is not an RFC 3339 date-time, or when
// it is one outside the range above (the message says which, without naming a field).
Result<int64_t> ParseRfc3339(std::string_view text);
// The same, nullopt for either failure.
std::optional<int64_t> ParseRfc3339Ns(std::string_view text);
// UTC with millisecond precision: "2026-11-24T10:32:00.250Z" (years beyond 9999, which no
// ParseRfc3339 result reaches, come out with more digits).
std::string FormatRfc3339Ms(int64_t epoch_ms);

}  // namespace baton
