// policy/builtins_time.cc: time.* built-ins. Time comes only from arguments (no clock reads).
#include "base/rfc3339.h"
#include "policy/builtins.h"

namespace baton::policy {
namespace {

using A = BuiltinArgs;

// Nanoseconds from `ns` or `[ns, tz]`; only UTC (or "") is supported as a time zone.
bool Nanos(const Value& v, int64_t* ns) {
  const Value* n = &v;
  if (v.is_array()) {
    if (v.items().size() != 2 || !v.items()[1].is_string()) return false;
    const std::string& tz = v.items()[1].str();
    if (!tz.empty() && tz != "UTC") return false;
    n = &v.items()[0];
  }
  // OPA requires an integral timestamp that fits int64 ("timestamp too big"); every such number is
  // an exact int64 here (Value::Double stores integral doubles as ints).
  if (!n->is_number() || !n->is_int()) return false;
  *ns = n->int_value();
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

bool ParseRfc3339(const A& a, Value* o) {
  if (!a.args[0].is_string()) return false;
  auto ns = baton::ParseRfc3339Ns(a.args[0].str());
  if (!ns) return false;
  *o = Value::Int(*ns);
  return true;
}
bool Clock(const A& a, Value* o) {
  int64_t ns;
  if (!Nanos(a.args[0], &ns)) return false;
  int64_t secs = FloorDiv(ns, 1000000000);
  int64_t sod = secs - FloorDiv(secs, 86400) * 86400;
  *o = Value::Array({Value::Int(sod / 3600), Value::Int(sod / 60 % 60), Value::Int(sod % 60)});
  return true;
}
bool Date(const A& a, Value* o) {
  int64_t ns;
  if (!Nanos(a.args[0], &ns)) return false;
  int64_t y, m, d;
  CivilFromDays(FloorDiv(FloorDiv(ns, 1000000000), 86400), &y, &m, &d);
  *o = Value::Array({Value::Int(y), Value::Int(m), Value::Int(d)});
  return true;
}
bool Weekday(const A& a, Value* o) {
  static const char* kDays[] = {"Thursday", "Friday", "Saturday", "Sunday",
                                "Monday",   "Tuesday", "Wednesday"};
  int64_t ns;
  if (!Nanos(a.args[0], &ns)) return false;
  int64_t days = FloorDiv(FloorDiv(ns, 1000000000), 86400);
  *o = Value::String(kDays[((days % 7) + 7) % 7]);
  return true;
}

const Builtin kTime[] = {
    {"time.parse_rfc3339_ns", 1, ParseRfc3339},
    {"time.clock", 1, Clock},
    {"time.date", 1, Date},
    {"time.weekday", 1, Weekday},
};

}  // namespace

BuiltinTable TimeBuiltins() { return {kTime, sizeof(kTime) / sizeof(kTime[0])}; }

}  // namespace baton::policy
