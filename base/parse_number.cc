#include "base/parse_number.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace baton {

namespace {

std::string FormatDouble(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

std::string IntegerRange(int64_t min, int64_t max) {
  if (min == std::numeric_limits<int64_t>::min() && max == std::numeric_limits<int64_t>::max())
    return "an integer";
  if (max == std::numeric_limits<int64_t>::max())
    return "an integer of at least " + std::to_string(min);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string NumberRange(double min, double max) {
  if (min == std::numeric_limits<double>::lowest() && max == std::numeric_limits<double>::max())
    return "a number";
  if (max == std::numeric_limits<double>::max()) return "a number of at least " + FormatDouble(min);
  return "a number from " + FormatDouble(min) + " to " + FormatDouble(max);
}

Status Bad(std::string_view what, const std::string& range, std::string_view text) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return Status::InvalidArgument(std::string(what) + " must be " + range + ", got \"" + shown +
                                 "\"");
}

}  // namespace

Result<int64_t> ParseInt64(std::string_view text, std::string_view what, int64_t min,
                           int64_t max) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < min || v > max)
    return Bad(what, IntegerRange(min, max), text);
  return v;
}

Result<double> ParseDouble(std::string_view text, std::string_view what, double min, double max) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < min || v > max)
    return Bad(what, NumberRange(min, max), text);
  return v;
}

}  // namespace baton
