package t

import rego.v1

ns := time.parse_rfc3339_ns(input.ts)

clock := time.clock(ns)

weekday := time.weekday(ns)

date := time.date(ns)

clock_utc := time.clock([ns, "UTC"])

now_clock := time.clock(input.now_ns)

now_weekday := time.weekday(input.now_ns)

office_hours if {
	[h, _, _] := time.clock(input.now_ns)
	h >= 9
	h < 18
	not time.weekday(input.now_ns) in {"Saturday", "Sunday"}
}

age_seconds := (input.now_ns - ns) / 1000000000
