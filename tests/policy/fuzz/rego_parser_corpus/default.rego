# baton's default policy: what a cautious user would accept.
#
# - Read tools (status, jobs, listing queues and schedules) are always allowed.
# - Jobs (enqueue, each step of chain, the spec of a new schedule) must run a command whose
#   argv[0] basename is on an allowlist; no sudo, no shells (unless allow_shell), no recursive
#   forced deletes (rm -rf in any spelling); retries, timeouts, chain depth and the enqueue
#   rate are capped.
# - Controlling queues and deleting schedules is for the local user only.
# - Cancel and retry: your own jobs, or any job when you are the local user.
#
# Tune it without editing the policy through data (baton policy eval --data FILE):
#   {"baton": {"config": {"allowed_commands": ["make", "pytest"], "allow_shell": false,
#     "max_attempts": 5, "max_timeout_seconds": 14400, "max_chain_depth": 10,
#     "max_enqueues_per_minute": 60}}}
package baton

import rego.v1

defaults := {
	"allowed_commands": [
		"make", "cmake", "ninja", "npm", "npx", "node", "pytest", "python3", "cargo", "go",
		"git", "claude", "true", "false", "echo", "sleep", "ls", "cat",
	],
	"allow_shell": false,
	"max_attempts": 5,
	"max_timeout_seconds": 14400,
	"max_chain_depth": 10,
	"max_enqueues_per_minute": 60,
}

# A configuration value: data.baton.config[key] when given, else the default above.
setting(key) := value if {
	value := data.baton.config[key]
} else := defaults[key]

read_tools := {"status", "jobs"}

job_tools := {"enqueue", "chain", "schedule"}

known_tools := read_tools | job_tools | {"cancel", "retry", "queue"}

shells := {"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "ash", "busybox"}

privilege_tools := {"sudo", "doas", "su", "pkexec", "runuser"}

default allow := false

# Methods other than tools/call (initialize, tools/list, resources/read, ...) carry no tool.
allow if {
	not input.tool
	count(deny) == 0
}

allow if {
	input.tool in known_tools
	count(deny) == 0
}

deny contains msg if {
	input.tool
	not input.tool in known_tools
	msg := sprintf("unknown tool %q", [input.tool])
}

# ---- the jobs a call would create -------------------------------------------------------------

job_specs contains spec if {
	input.tool == "enqueue"
	spec := input.arguments
}

job_specs contains spec if {
	input.tool == "chain"
	some spec in input.arguments.steps
}

job_specs contains spec if {
	input.tool == "schedule"
	input.arguments.action == "create"
	spec := input.arguments.spec
}

basename(path) := parts[count(parts) - 1] if parts := split(path, "/")

valid_argv(argv) if {
	is_array(argv)
	count(argv) > 0
	every a in argv {
		is_string(a)
		a != ""
	}
}

# object.get keeps this denial when `command` is missing: `not valid_argv(spec.command)` would be
# undefined then (OPA evaluates call arguments before the negation), and the job would slip through.
deny contains "command must be a non-empty array of non-empty strings (argv)" if {
	some spec in job_specs
	not valid_argv(object.get(spec, "command", null))
}

deny contains msg if {
	some spec in job_specs
	valid_argv(spec.command)
	exe := basename(spec.command[0])
	not exe in setting("allowed_commands")
	msg := sprintf("command %q is not on the allowlist (data.baton.config.allowed_commands)", [exe])
}

deny contains msg if {
	some spec in job_specs
	some arg in spec.command
	basename(arg) in privilege_tools
	msg := sprintf("privilege escalation (%s) is not allowed", [basename(arg)])
}

# A shell as the program, or a shell handed a script (`env bash -c ...`, `xargs sh -c ...`).
deny contains msg if {
	some spec in job_specs
	not setting("allow_shell")
	uses_shell(spec.command)
	msg := "shells are not allowed (set data.baton.config.allow_shell to permit them)"
}

uses_shell(argv) if basename(argv[0]) in shells

uses_shell(argv) if {
	some i, arg in argv
	i > 0
	basename(arg) in shells
	argv[i + 1] == "-c"
}

# ---- rm -rf in any spelling: -rf, -fr, -Rf, -r -f, --recursive --force, inside sh -c strings --

# Token lists to inspect: the argv itself and, when a shell runs it (allow_shell), each argument
# split like a shell would (without a shell, no argument is ever parsed as a command line).
token_lists contains argv if {
	some spec in job_specs
	argv := spec.command
	is_array(argv)
}

token_lists contains tokens if {
	some spec in job_specs
	uses_shell(spec.command)
	some arg in spec.command
	is_string(arg)
	some segment in regex.split(`[;&|()\n]+`, arg)
	tokens := [t | some t in regex.split(`\s+`, trim_space(segment)); t != ""]
}

recursive_flag(t) if t in {"-r", "-R", "--recursive"}

recursive_flag(t) if regex.match(`^-[A-Za-z]*[rR]`, t)

force_flag(t) if t == "--force"

force_flag(t) if regex.match(`^-[A-Za-z]*f`, t)

deny contains "recursive forced deletes (rm -rf) are not allowed" if {
	some tokens in token_lists
	some i, t in tokens
	is_string(t)
	basename(t) == "rm"
	some j, r in tokens
	j > i
	recursive_flag(r)
	some k, f in tokens
	k > i
	force_flag(f)
}

# ---- caps --------------------------------------------------------------------------------------

deny contains msg if {
	some spec in job_specs
	n := spec.retry.max_attempts
	not is_number(n)
	msg := sprintf("retry.max_attempts must be a number, got %v", [n])
}

deny contains msg if {
	some spec in job_specs
	n := spec.retry.max_attempts
	is_number(n)
	n > setting("max_attempts")
	msg := sprintf("retry.max_attempts %v exceeds the cap of %v", [n, setting("max_attempts")])
}

deny contains msg if {
	some spec in job_specs
	some field in ["timeout_seconds", "inactivity_timeout_seconds"]
	t := spec[field]
	is_number(t)
	t > setting("max_timeout_seconds")
	msg := sprintf("%s %v exceeds the cap of %v", [field, t, setting("max_timeout_seconds")])
}

deny contains msg if {
	input.tool in job_tools
	d := input.chain.depth
	d > setting("max_chain_depth")
	msg := sprintf("chain depth %v exceeds the cap of %v", [d, setting("max_chain_depth")])
}

deny contains msg if {
	input.tool in {"enqueue", "chain"}
	n := input.stats.enqueues_last_minute
	n >= setting("max_enqueues_per_minute")
	msg := sprintf("rate limit: %v enqueues in the last minute (limit %v)", [n, setting("max_enqueues_per_minute")])
}

deny contains msg if {
	some spec in job_specs
	some name, _ in spec.env
	upper(name) in {"LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES"}
	msg := sprintf("environment variable %s is not allowed", [name])
}

# ---- control tools -----------------------------------------------------------------------------

local_user if input.principal.kind == "local"

deny contains msg if {
	input.tool == "queue"
	input.arguments.action != "list"
	not local_user
	msg := sprintf("queue %s is reserved to the local user", [input.arguments.action])
}

deny contains "deleting schedules is reserved to the local user" if {
	input.tool == "schedule"
	input.arguments.action == "delete"
	not local_user
}

deny contains msg if {
	input.tool in {"cancel", "retry"}
	not local_user
	owner := object.get(input, ["job", "principal"], "<unknown>")
	owner != input.principal.id
	msg := sprintf("%s may only %s its own jobs (job owned by %s)", [input.principal.id, input.tool, owner])
}
