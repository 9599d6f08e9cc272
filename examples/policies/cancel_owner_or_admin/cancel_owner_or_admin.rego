# Only the job's owner, or an admin, may cancel or retry a job. Operators may cancel jobs on
# non-protected queues. The server puts the target job's summary in input.job. Admins and
# operators come from data (data.baton.config.admins / .operators); the local user is an admin.
# Adapted from the p04 scenario.
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

protected_queues := {"payments", "deploy"}

admins := names if {
	names := data.baton.config.admins
} else := []

operators := names if {
	names := data.baton.config.operators
} else := []

is_admin if input.principal.kind == "local"

is_admin if input.principal.id in admins

can_cancel if input.job.principal == input.principal.id

can_cancel if is_admin

can_cancel if {
	input.tool == "cancel"
	input.principal.id in operators
	not input.job.queue in protected_queues
}

deny contains msg if {
	input.tool in {"cancel", "retry"}
	not input.job
	msg := sprintf("%s: target job not found", [input.tool])
}

deny contains msg if {
	input.tool in {"cancel", "retry"}
	input.job
	not can_cancel
	# object.get keeps the message defined even when fields are missing;
	# an undefined message would silently drop the denial (fail-open).
	who := object.get(input, ["principal", "id"], "<anonymous>")
	job := object.get(input.job, "id", "<unknown>")
	owner := object.get(input.job, "principal", "<unknown>")
	msg := sprintf("%s may not %s job %v owned by %s", [who, input.tool, job, owner])
}
