// storage/json_number.h
//
// Numbers out of parsed JSON, range-checked. nlohmann keeps an integer above INT64_MAX as a
// uint64, and get<int64_t>() on it wraps (18446744073709551615 becomes -1); a float such as
// 1e300 truncates to anything when cast. These read the value as it was written and return
// nullopt when it is not a number of the asked kind or lies outside [min, max]: the caller
// names the field and the range in its error. Pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json_fwd.hpp>

namespace baton {

// An integer in [min, max]; a float (3.0 too) is not an integer.
std::optional<int64_t> JsonInteger(const nlohmann::json& v, int64_t min, int64_t max);

// Any JSON number in [min, max] (integers of either sign and size included).
std::optional<double> JsonNumber(const nlohmann::json& v, double min, double max);

}  // namespace baton
