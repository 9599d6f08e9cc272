# baton's default policy: what a cautious user would accept.
#
# - Read tools (status, jobs, listing queues and schedules) are always allowed.
# - Jobs (enqueue, each step of chain, the spec of a new schedule, and a spec as its run-time
#   placeholders expand) must run a program on an allowlist, named bare (looked up in PATH) or by
#   a path in a trusted directory (/usr/bin/make, not /any/dir/make); no sudo, no shells (unless
#   allow_shell), no recursive forced deletes (rm -rf in any spelling); no inline or stdin code
#   for interpreters (python3 -c, node -e), no git config overrides or aliases (git -c, only
#   git's own commands); a job's verifier (verify.command) is held to every one of these rules
#   too, since it runs like the command; env may not change PATH or the loader/interpreter search paths
#   (LD_*, PYTHONPATH, NODE_OPTIONS, ...); retries, timeouts, chain depth and the enqueue rate
#   are capped. What this does NOT promise: docs/policy.md ("The default policy").
# - Controlling queues and deleting schedules is for the local user only.
# - Cancel and retry: your own jobs, or any job when you are the local user.
#
# Tune it without editing the policy through data (baton policy eval --data FILE):
#   {"baton": {"config": {"allowed_commands": ["make", "pytest"], "allow_shell": false,
#     "trusted_dirs": ["/usr/bin", "/bin", "/usr/local/bin"],
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
	"trusted_dirs": ["/usr/bin", "/bin", "/usr/local/bin"],
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

# Every argv a job would run: its command and its verifier's (`verify.command` runs after the
# command, in the same cwd and env; without this it would be a way around the rules below).
job_argvs contains argv if {
	some spec in job_specs
	argv := object.get(spec, "command", null)
	argv != null
}

job_argvs contains argv if {
	some spec in job_specs
	verify := object.get(spec, "verify", {})
	is_object(verify)
	argv := object.get(verify, "command", null)
	argv != null
}

basename(path) := parts[count(parts) - 1] if parts := split(path, "/")

dirname(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if parts := split(path, "/")

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

deny contains "verify must be an object: {\"command\": [argv], \"timeout_seconds\": N}" if {
	some spec in job_specs
	verify := object.get(spec, "verify", null)
	verify != null
	not is_object(verify)
}

deny contains "verify.command must be a non-empty array of non-empty strings (argv)" if {
	some spec in job_specs
	verify := object.get(spec, "verify", null)
	is_object(verify)
	not valid_argv(object.get(verify, "command", null))
}

deny contains msg if {
	some spec in job_specs
	t := spec.verify.timeout_seconds
	is_number(t)
	t > setting("max_timeout_seconds")
	msg := sprintf("verify.timeout_seconds %v exceeds the cap of %v", [t, setting("max_timeout_seconds")])
}

deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	exe := basename(argv[0])
	not exe in setting("allowed_commands")
	msg := sprintf("command %q is not on the allowlist (data.baton.config.allowed_commands)", [exe])
}

# Shown with a denial (docs/policy.md, "hint"): what the agent may run instead.
hint contains msg if {
	some m in deny
	contains(m, "is not on the allowlist")
	msg := sprintf("the allowed commands are %s; for anything else ask the user", [concat(", ", sort(setting("allowed_commands")))])
}

# The allowlist names programs: a path elsewhere (/any/dir/make, ./make, a relative bin/make) runs
# whatever that file is, so a path must lie in a trusted directory.
deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	program := argv[0]
	contains(program, "/")
	not dirname(program) in setting("trusted_dirs")
	msg := sprintf("program %q: a path must be in a trusted directory (data.baton.config.trusted_dirs: %s)", [program, concat(", ", setting("trusted_dirs"))])
}

# ---- interpreters and git: no code that is not in a file of the project ------------------------

# Where an interpreter's own options end: the first argument that is not an option (the script).
script_index(argv) := min({i | some i, a in argv; i > 0; not startswith(a, "-")} | {count(argv)})

inline_code_flag("python", a) if regex.match(`^-[A-Za-z]*c`, a)

inline_code_flag("node", a) if a in {"-e", "--eval", "-p", "--print", "-pe", "-r", "--require", "--import"}

inline_code_flag("node", a) if regex.match(`^--(eval|print|require|import)=`, a)

interpreter(argv) := "python" if regex.match(`^python[0-9.]*$`, basename(argv[0]))

interpreter(argv) := "node" if basename(argv[0]) == "node"

deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	kind := interpreter(argv)
	some i, a in argv
	i > 0
	i < script_index(argv)
	inline_code_flag(kind, a)
	msg := sprintf("%s may only run a script file, not inline code (%s)", [basename(argv[0]), a])
}

# `python3` alone or `python3 -` reads its program from stdin.
deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	interpreter(argv)
	reads_program_from_stdin(argv)
	msg := sprintf("%s may only run a script file, not a program from stdin", [basename(argv[0])])
}

reads_program_from_stdin(argv) if script_index(argv) == count(argv)

reads_program_from_stdin(argv) if {
	some i, a in argv
	i > 0
	i < script_index(argv)
	a == "-"
}

# git's own commands only: an alias (`!sh -c ...` in a config) is not one of them. The options
# that change its configuration or its programs are refused.
git_commands := {
	"add", "am", "apply", "archive", "blame", "branch", "bundle", "checkout", "cherry-pick",
	"clean", "clone", "commit", "describe", "diff", "fetch", "format-patch", "grep", "help",
	"init", "log", "ls-files", "ls-remote", "ls-tree", "merge", "merge-base", "mv", "notes",
	"pull", "push", "range-diff", "rebase", "reflog", "remote", "reset", "restore", "revert",
	"rev-list", "rev-parse", "rm", "shortlog", "show", "show-ref", "stash", "status", "switch",
	"tag", "version", "worktree",
}

git_options_with_value := {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"}

# The index of git's command: the first argument that is neither an option nor an option's value
# (count(argv) when there is none: `git --version`).
git_command_index(argv) := min({j |
	some j, a in argv
	j > 0
	not startswith(a, "-")
	not argv[j - 1] in git_options_with_value
} | {count(argv)})

# Options before the command that set configuration (aliases, core.pager, core.sshCommand, ...)
# or choose git's programs.
deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	basename(argv[0]) == "git"
	some i, a in argv
	i > 0
	i < git_command_index(argv)
	git_config_option(a)
	msg := sprintf("git may not be given configuration or programs on the command line (%s)", [a])
}

git_config_option(a) if a in {"-c", "--exec-path", "--config-env"}

git_config_option(a) if regex.match(`^(--exec-path|--config-env)=|^-c.`, a)

# `git rebase --exec CMD` runs CMD through a shell.
deny contains "git rebase may not run commands (--exec, -x)" if {
	some argv in job_argvs
	valid_argv(argv)
	basename(argv[0]) == "git"
	argv[git_command_index(argv)] == "rebase"
	some a in argv
	regex.match(`^(-x|--exec(=.*)?)$`, a)
}

deny contains msg if {
	some argv in job_argvs
	valid_argv(argv)
	basename(argv[0]) == "git"
	sub := argv[git_command_index(argv)]
	not sub in git_commands
	msg := sprintf("git %q is not one of git's own commands allowed here (aliases are not allowed)", [sub])
}

deny contains msg if {
	some argv in job_argvs
	some arg in argv
	basename(arg) in privilege_tools
	msg := sprintf("privilege escalation (%s) is not allowed", [basename(arg)])
}

# A shell as the program, or a shell handed a script (`env bash -c ...`, `xargs sh -c ...`).
deny contains msg if {
	some argv in job_argvs
	not setting("allow_shell")
	uses_shell(argv)
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
	some argv in job_argvs
	is_array(argv)
}

token_lists contains tokens if {
	some argv in job_argvs
	uses_shell(argv)
	some arg in argv
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
	object.get(input, "origin", "direct") != "expansion" # counted when it was enqueued
	n := input.stats.enqueues_last_minute
	n >= setting("max_enqueues_per_minute")
	msg := sprintf("rate limit: %v enqueues in the last minute (limit %v)", [n, setting("max_enqueues_per_minute")])
}

# Variables that choose which program or code runs: PATH (a `make` of the job's choosing), the
# dynamic loader's, and interpreters' and git's search paths and hooks.
deny contains msg if {
	some spec in job_specs
	some name, _ in spec.env
	program_choosing_variable(upper(name))
	msg := sprintf("environment variable %s is not allowed", [name])
}

program_choosing_variable(name) if name in {
	"PATH", "BASH_ENV", "ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
	"PYTHONINSPECT", "NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB",
	"MAKEFLAGS", "MFLAGS", "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS",
	"GIT_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF", "CARGO_HOME", "RUSTC_WRAPPER", "GOFLAGS",
	"NPM_CONFIG_SCRIPT_SHELL", "SHELL",
}

program_choosing_variable(name) if regex.match(`^(LD_|DYLD_|GIT_CONFIG|NPM_CONFIG_)`, name)

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
