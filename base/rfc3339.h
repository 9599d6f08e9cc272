// base/rfc3339.h
//
// RFC 3339 timestamps ("2026-11-24T10:32:00.250Z", "2026-11-24T11:32:00+01:00") to and from
// nanoseconds since the Unix epoch. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton {

// Nanoseconds since the epoch, or nullopt when `text` is not a valid RFC 3339 date-time.
std::optional<int64_t> ParseRfc3339Ns(std::string_view text);
// UTC with millisecond precision: "2026-11-24T10:32:00.250Z".
std::string FormatRfc3339Ms(int64_t epoch_ms);

}  // namespace baton
