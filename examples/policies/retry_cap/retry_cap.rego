# Cap retries at 5 attempts; retry.max_attempts is optional but must be a positive integer.
# Adapted from the p03 scenario (max_retries there, retry.max_attempts in baton).
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

max_attempts_cap := 5

job_specs contains input.arguments if input.tool == "enqueue"

job_specs contains step if {
	input.tool == "chain"
	some step in input.arguments.steps
}

deny contains msg if {
	some spec in job_specs
	n := spec.retry.max_attempts
	is_number(n)
	n > max_attempts_cap
	msg := sprintf("retry.max_attempts %v exceeds the cap of %d", [n, max_attempts_cap])
}

deny contains msg if {
	some spec in job_specs
	n := spec.retry.max_attempts
	not valid_count(n)
	msg := sprintf("retry.max_attempts must be a positive integer, got %v", [n])
}

valid_count(n) if {
	is_number(n)
	n >= 1
	n == round(n)
}
