#include "base/rfc3339.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>
#include <string>

namespace baton {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view s) {
  const Status syntax = Status::InvalidArgument("is not an RFC 3339 date-time such as "
                                                "\"2026-11-24T10:30:00Z\"");
  int year, mon, day, hour, min, sec;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mon) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &min) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec))
    return syntax;
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1) return syntax;
  int mdays = kMonthDays[mon - 1] + (mon == 2 && IsLeap(year) ? 1 : 0);
  if (day > mdays || hour > 23 || min > 59 || sec > 60) return syntax;
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000000;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return syntax;
  }
  if (pos >= s.size()) return syntax;
  int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59)
      return syntax;
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return syntax;
  }
  if (pos != s.size()) return syntax;
  // Years 0000-9999 are a few times 1e11 seconds: no overflow until the scaling to ns.
  int64_t secs = DaysFromCivil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - offset_s;
  // In 128 bits: the earliest time has a negative whole second below the int64 range.
  const __int128 ns = static_cast<__int128>(secs) * 1000000000 + frac_ns;
  if (ns > std::numeric_limits<int64_t>::max() || ns < std::numeric_limits<int64_t>::min())
    return Status::InvalidArgument(std::string("is outside the times baton can represent (") +
                                   kRfc3339EarliestNs + " to " + kRfc3339LatestNs +
                                   ": nanoseconds since 1970 in 64 bits)");
  return static_cast<int64_t>(ns);
}

std::optional<int64_t> ParseRfc3339Ns(std::string_view s) {
  Result<int64_t> ns = ParseRfc3339(s);
  if (!ns.ok()) return std::nullopt;
  return *ns;
}

std::string FormatRfc3339Ms(int64_t epoch_ms) {
  int64_t secs = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) { ms += 1000; --secs; }
  time_t t = static_cast<time_t>(secs);
  struct tm tm = {};
  if (!gmtime_r(&t, &tm)) return "invalid-time(" + std::to_string(epoch_ms) + "ms)";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace baton
