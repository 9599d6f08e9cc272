# Per-principal enqueue rate limit; the server supplies the count of the last minute in
# input.stats.enqueues_last_minute. Adapted from the p05 scenario.
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

limits_per_minute := {"local": 120, "token": 30}

limit := object.get(limits_per_minute, object.get(input, ["principal", "kind"], "token"), 30)

deny contains msg if {
	input.tool in {"enqueue", "chain"}
	n := object.get(input, ["stats", "enqueues_last_minute"], 0)
	n >= limit
	who := object.get(input, ["principal", "id"], "<anonymous>")
	msg := sprintf("rate limit: %d enqueues in the last minute (limit %d) for %s", [n, limit, who])
}
