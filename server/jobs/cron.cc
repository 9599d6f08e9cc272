#include "server/jobs/cron.h"

#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "base/parse_number.h"

namespace baton {

namespace {

constexpr const char* kSyntax =
    "use 5 fields \"minute hour day-of-month month day-of-week\", each `*`, a number, a range "
    "a-b, a step */n or a-b/n, or a comma list; e.g. \"*/15 9-17 * * mon-fri\"";

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

Result<int> Value(const std::string& s, int lo, int hi, int field) {
  if (field == 3 || field == 4) {
    const char* const* names = field == 3 ? kMonthNames : kDayNames;
    int n = field == 3 ? 12 : 7;
    for (int i = 0; i < n; ++i)
      if (strcasecmp(s.c_str(), names[i]) == 0) return field == 3 ? i + 1 : i;
  }
  if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument("\"" + s + "\" is not a number");
  auto v = ParseInt64(s, "\"" + s + "\"");
  if (!v.ok()) return v.status();
  if (*v < lo || *v > hi)
    return Status::InvalidArgument(std::to_string(*v) + " is outside " + std::to_string(lo) + "-" +
                                   std::to_string(hi));
  return static_cast<int>(*v);
}

// Sets bits [lo, hi] of the field from one comma-separated part list.
Result<std::vector<int>> ParseField(const std::string& text, int lo, int hi, int field) {
  std::vector<int> out;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    int step = 1;
    if (size_t slash = part.find('/'); slash != std::string::npos) {
      std::string st = part.substr(slash + 1);
      auto n = ParseInt64(st, "step", 1, 99);
      if (!n.ok()) return Status::InvalidArgument("bad step \"/" + st + "\" (1 to 99)");
      step = static_cast<int>(*n);
      part = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (part != "*") {
      size_t dash = part.find('-');
      BATON_ASSIGN_OR_RETURN(a, Value(part.substr(0, dash), lo, hi, field));
      if (dash != std::string::npos) {
        BATON_ASSIGN_OR_RETURN(b, Value(part.substr(dash + 1), lo, hi, field));
        if (b < a) return Status::InvalidArgument("range \"" + part + "\" runs backwards");
      } else if (step == 1) {
        b = a;
      }
    }
    for (int v = a; v <= b; v += step) out.push_back(v);
  }
  if (out.empty()) return Status::InvalidArgument("empty field");
  return out;
}

// A zone from the system tz database (TZif v2+, 64-bit section): UTC offsets by instant. Read
// directly rather than through TZ/localtime_r, which would mean changing the process-wide TZ
// variable under other threads. After the file's last transition (2037 in Debian's "fat" files)
// the last offset stays in force.
class Zone {
 public:
  static Result<std::shared_ptr<const Zone>> Load(const std::string& name) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const Zone>> cache;
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
    BATON_RETURN_IF_ERROR(ValidateTimeZone(name));
    std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto zone = std::make_shared<Zone>();
    if (!zone->Parse(data))
      return Status::InvalidArgument("`tz` \"" + name + "\": unreadable tz database file");
    cache[name] = zone;
    return std::shared_ptr<const Zone>(zone);
  }

  // The UTC offset (seconds) in force at Unix time t.
  int64_t Offset(int64_t t) const {
    auto it = std::upper_bound(times_.begin(), times_.end(), t);
    if (it == times_.begin()) return initial_offset_;
    return offsets_[static_cast<size_t>(it - times_.begin() - 1)];
  }

  bool Parse(const std::string& d) {
    auto be = [&](size_t pos, int bytes) -> int64_t {
      uint64_t v = 0;
      for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
      if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
      return static_cast<int64_t>(v);
    };
    auto header = [&](size_t pos, int64_t c[6]) {
      if (d.size() < pos + 44 || d.compare(pos, 4, "TZif") != 0) return false;
      for (int i = 0; i < 6; ++i) c[i] = be(pos + 20 + 4 * i, 4);
      return true;
    };
    int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    if (!header(0, c) || d[4] < '2') return false;
    size_t v1 = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(v1, c)) return false;
    size_t p = v1 + 44;
    const size_t timecnt = c[3], typecnt = c[4];
    if (typecnt == 0 || d.size() < p + timecnt * 9 + typecnt * 6) return false;
    std::vector<int64_t> type_offsets;
    size_t types_at = p + timecnt * 9;
    for (size_t i = 0; i < typecnt; ++i) type_offsets.push_back(be(types_at + 6 * i, 4));
    initial_offset_ = type_offsets[0];
    for (size_t i = 0; i < timecnt; ++i) {
      size_t type = static_cast<unsigned char>(d[p + timecnt * 8 + i]);
      if (type >= typecnt) return false;
      times_.push_back(be(p + 8 * i, 8));
      offsets_.push_back(type_offsets[type]);
    }
    return true;
  }

 private:
  std::vector<int64_t> times_;    // transition instants, ascending
  std::vector<int64_t> offsets_;  // the offset from each transition on
  int64_t initial_offset_ = 0;
};

// Local wall time (year, month 1-12, day, hour, minute) in `zone` (null: UTC) to Unix seconds:
// the earliest instant showing that wall time, or nullopt when none does (a DST gap).
std::optional<int64_t> LocalToUnix(int y, int mon, int d, int h, int mi, const Zone* zone) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  const int64_t wall = static_cast<int64_t>(timegm(&tm));  // the wall time read as UTC
  if (!zone) return wall;
  std::optional<int64_t> best;
  for (int64_t around : {wall - 86400, wall + 86400}) {
    int64_t t = wall - zone->Offset(around);
    if (zone->Offset(t) + t == wall && (!best || t < *best)) best = t;
  }
  return best;
}

}  // namespace

Status ValidateTimeZone(const std::string& tz) {
  if (tz == "UTC" || tz == "Etc/UTC") return Status::OK();
  bool plausible = !tz.empty() && tz.size() < 64 && tz.find("..") == std::string::npos &&
                   tz[0] != '/' && tz.find_first_of(" \t:") == std::string::npos;
  struct stat st;
  if (plausible && stat(("/usr/share/zoneinfo/" + tz).c_str(), &st) == 0 && S_ISREG(st.st_mode))
    return Status::OK();
  return Status::InvalidArgument("`tz` \"" + tz +
                                 "\" is not a known time zone; use an IANA name such as "
                                 "\"Europe/Paris\" or \"America/New_York\", or \"UTC\"");
}

Result<CronExpr> CronExpr::Parse(const std::string& text) {
  std::stringstream ss(text);
  std::vector<std::string> fields;
  std::string f;
  while (ss >> f) fields.push_back(f);
  if (fields.size() != 5)
    return Status::InvalidArgument("`cron` \"" + text + "\" has " + std::to_string(fields.size()) +
                                   " fields; " + kSyntax);
  static const char* const kNames[] = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  static const int kLo[] = {0, 0, 1, 1, 0}, kHi[] = {59, 23, 31, 12, 7};
  CronExpr c;
  c.text_ = text;
  for (int i = 0; i < 5; ++i) {
    auto values = ParseField(fields[i], kLo[i], kHi[i], i);
    if (!values.ok())
      return Status::InvalidArgument("`cron` " + std::string(kNames[i]) + " field \"" + fields[i] +
                                     "\": " + values.status().message() + "; " + kSyntax);
    for (int v : *values) {
      switch (i) {
        case 0: c.minutes_.set(v); break;
        case 1: c.hours_.set(v); break;
        case 2: c.mdays_.set(v); break;
        case 3: c.months_.set(v); break;
        case 4: c.wdays_.set(v % 7); break;
      }
    }
  }
  c.mday_star_ = fields[2][0] == '*';
  c.wday_star_ = fields[4][0] == '*';
  return c;
}

bool CronExpr::DayMatches(int mday, int mon, int wday) const {
  if (!months_.test(mon)) return false;
  if (mday_star_ || wday_star_) return mdays_.test(mday) && wdays_.test(wday);
  return mdays_.test(mday) || wdays_.test(wday);
}

Result<int64_t> CronExpr::Next(int64_t after_ms, const std::string& tz) const {
  const bool utc = tz == "UTC" || tz == "Etc/UTC";
  std::shared_ptr<const Zone> zone;
  if (!utc) {
    BATON_ASSIGN_OR_RETURN(zone, Zone::Load(tz));
  }
  // Start from the minute after `after_ms`, in local time.
  int64_t after_s = after_ms >= 0 ? after_ms / 1000 : (after_ms - 999) / 1000;
  int64_t start = after_s - ((after_s % 60) + 60) % 60 + 60;
  time_t local_start = static_cast<time_t>(start + (zone ? zone->Offset(start) : 0));
  std::tm lt{};
  gmtime_r(&local_start, &lt);
  int y = lt.tm_year + 1900, mon = lt.tm_mon + 1, d = lt.tm_mday;
  int first_h = lt.tm_hour, first_mi = lt.tm_min;
  for (int day = 0; day < 5 * 366 + 2; ++day) {
    // Normalize (y, mon, d + day) and get the weekday through timegm (calendar arithmetic only).
    std::tm cal{};
    cal.tm_year = y - 1900;
    cal.tm_mon = mon - 1;
    cal.tm_mday = d + day;
    cal.tm_hour = 12;
    timegm(&cal);
    int cy = cal.tm_year + 1900, cm = cal.tm_mon + 1, cd = cal.tm_mday;
    if (!DayMatches(cd, cm, cal.tm_wday)) continue;
    for (int h = day == 0 ? first_h : 0; h < 24; ++h) {
      if (!hours_.test(h)) continue;
      for (int mi = (day == 0 && h == first_h) ? first_mi : 0; mi < 60; ++mi) {
        if (!minutes_.test(mi)) continue;
        auto t = LocalToUnix(cy, cm, cd, h, mi, zone.get());
        if (t && *t * 1000 > after_ms) return *t * 1000;
      }
    }
  }
  return Status::NotFound("`cron` \"" + text_ + "\" never fires");
}

}  // namespace baton
