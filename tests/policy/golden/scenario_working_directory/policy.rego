# Jobs must run inside an approved directory tree, with an absolute, normalised path.
# Adapted from the p06 scenario.
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

allowed_roots := ["/srv/jobs/**", "/tmp/agent-*/**"]

job_specs contains input.arguments if input.tool == "enqueue"

job_specs contains step if {
	input.tool == "chain"
	some step in input.arguments.steps
}

deny contains "cwd is required" if {
	some spec in job_specs
	object.get(spec, "cwd", "") == ""
}

deny contains msg if {
	some spec in job_specs
	cwd := object.get(spec, "cwd", "")
	cwd != ""
	not startswith(cwd, "/")
	msg := sprintf("cwd %q must be absolute", [cwd])
}

deny contains msg if {
	some spec in job_specs
	cwd := object.get(spec, "cwd", "")
	some seg in split(cwd, "/")
	seg in {".", ".."}
	msg := sprintf("cwd %q must not contain '.' or '..' segments", [cwd])
}

deny contains msg if {
	some spec in job_specs
	cwd := object.get(spec, "cwd", "")
	startswith(cwd, "/")
	not under_allowed_root(cwd)
	msg := sprintf("cwd %q is outside the allowed roots", [cwd])
}

under_allowed_root(cwd) if {
	some pattern in allowed_roots
	glob.match(pattern, ["/"], cwd)
}
