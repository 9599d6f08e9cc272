# Only executables on an allowlist may be enqueued (directly or as a chain step).
# Adapted from the p01 scenario to baton's input (argv arrays, chain steps).
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

allowed_executables := {"python3", "make", "pytest", "ffmpeg"}

job_specs contains input.arguments if input.tool == "enqueue"

job_specs contains step if {
	input.tool == "chain"
	some step in input.arguments.steps
}

basename(path) := parts[count(parts) - 1] if parts := split(path, "/")

deny contains "command must be a non-empty argv array" if {
	some spec in job_specs
	not valid_command(object.get(spec, "command", null))
}

valid_command(argv) if {
	is_array(argv)
	count(argv) > 0
	is_string(argv[0])
	trim_space(argv[0]) != ""
}

deny contains msg if {
	some spec in job_specs
	valid_command(spec.command)
	exe := basename(spec.command[0])
	not exe in allowed_executables
	msg := sprintf("executable %q is not on the allowlist", [exe])
}
