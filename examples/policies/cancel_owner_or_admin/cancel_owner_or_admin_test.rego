package baton_test

import rego.v1

import data.baton

job(owner, queue) := {"id": 1, "principal": owner, "queue": queue, "state": "running"}

call(who, owner, queue) := {
	"method": "tools/call",
	"tool": "cancel",
	"arguments": {"job_id": 1},
	"principal": {"id": who, "kind": "token"},
	"job": job(owner, queue),
}

test_owner_may_cancel if {
	baton.allow with input as call("a", "a", "default")
}

test_agent_may_not_cancel_others if {
	not baton.allow with input as call("a", "b", "default")
}

test_operator_blocked_on_protected_queue if {
	baton.deny == {"ops may not cancel job 1 owned by b"} with input as call("ops", "b", "deploy")
		with data.baton.config as {"operators": ["ops"]}
}

test_operator_may_cancel_elsewhere if {
	baton.allow with input as call("ops", "b", "default") with data.baton.config as {"operators": ["ops"]}
}

test_missing_job_is_denied if {
	"cancel: target job not found" in baton.deny with input as {"tool": "cancel", "principal": {"id": "a", "kind": "local"}}
}
