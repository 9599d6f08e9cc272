// server/jobs/cron.h
//
// A 5-field cron expression ("minute hour day-of-month month day-of-week") and when it next
// fires in a time zone. Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists
// `a,b`, month names (jan..dec) and day names (sun..sat; 0 and 7 are Sunday). As in Vixie cron,
// when both day-of-month and day-of-week are restricted a day matching either fires. Times are
// minutes; seconds are not supported. Local times that do not exist in the zone (a spring-forward
// gap) are skipped; an ambiguous one (fall-back) fires once, at its first occurrence. Zones are
// read from the system tz database files (/usr/share/zoneinfo) without touching the process's TZ.
// Value type; thread-safe.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

#include "base/result.h"

namespace baton {

class CronExpr {
 public:
  // InvalidArgument naming the bad field and the accepted syntax.
  static Result<CronExpr> Parse(const std::string& text);

  // The first firing strictly after `after_ms` (Unix ms), in zone `tz` ("UTC" or an IANA name
  // from the system tz database). NotFound when it never fires within 5 years (e.g. "0 0 30 2 *").
  Result<int64_t> Next(int64_t after_ms, const std::string& tz) const;

  const std::string& text() const { return text_; }

 private:
  bool DayMatches(int mday, int mon, int wday) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> mdays_;  // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> wdays_;   // 0..6, Sunday = 0
  bool mday_star_ = false, wday_star_ = false;
};

// OK when `tz` is "UTC" or names a zone of the system tz database; InvalidArgument otherwise.
Status ValidateTimeZone(const std::string& tz);

}  // namespace baton
