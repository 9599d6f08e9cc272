# Tests of default.rego: `baton policy test examples/policies` (or `opa test examples/policies`).
package baton_test

import rego.v1

import data.baton

enqueue(argv) := {
	"method": "tools/call",
	"tool": "enqueue",
	"arguments": {"command": argv, "queue": "default"},
	"principal": {"id": "alice", "kind": "local"},
	"transport": "stdio",
	"chain": {"depth": 0, "parent": null},
	"stats": {"enqueues_last_minute": 0},
	"now_ns": 1795511520000000000,
}

test_initialize_allowed if {
	baton.allow with input as {"method": "initialize", "principal": {"id": "alice", "kind": "local"}}
}

test_status_allowed if {
	baton.allow with input as {"method": "tools/call", "tool": "status", "arguments": {"job_id": 1}, "principal": {"id": "a", "kind": "token"}}
}

test_make_allowed if {
	baton.allow with input as enqueue(["make", "-j4", "test"])
}

test_absolute_path_uses_basename if {
	baton.allow with input as enqueue(["/usr/bin/make", "all"])
}

test_curl_denied if {
	not baton.allow with input as enqueue(["curl", "http://example.com"])
	"command \"curl\" is not on the allowlist (data.baton.config.allowed_commands)" in baton.deny with input as enqueue(["curl", "http://example.com"])
}

test_sudo_denied if {
	"privilege escalation (sudo) is not allowed" in baton.deny with input as enqueue(["sudo", "make", "install"])
}

test_shell_denied if {
	not baton.allow with input as enqueue(["bash", "-c", "make"])
}

test_shell_via_env_denied if {
	not baton.allow with input as enqueue(["git", "x", "sh", "-c", "id"])
}

test_shell_allowed_by_config if {
	baton.allow with input as enqueue(["sh", "-c", "make"])
		with data.baton.config as {"allow_shell": true, "allowed_commands": ["sh"]}
}

test_rm_rf_spellings_denied if {
	every argv in [["rm", "-rf", "/"], ["rm", "-fr", "x"], ["rm", "-r", "-f", "x"], ["rm", "--recursive", "--force", "x"], ["/bin/rm", "-Rf", "x"]] {
		"recursive forced deletes (rm -rf) are not allowed" in baton.deny with input as enqueue(argv)
			with data.baton.config as {"allowed_commands": ["rm"]}
	}
}

test_rm_inside_shell_string_denied if {
	"recursive forced deletes (rm -rf) are not allowed" in baton.deny with input as enqueue(["sh", "-c", "make && rm -rf build"])
		with data.baton.config as {"allow_shell": true, "allowed_commands": ["sh"]}
}

test_plain_rm_allowed_when_listed if {
	baton.allow with input as enqueue(["rm", "build.log"]) with data.baton.config as {"allowed_commands": ["rm"]}
}

test_retry_cap if {
	inp := {"method": "tools/call", "tool": "enqueue", "arguments": {"command": ["make"], "retry": {"max_attempts": 50}}, "principal": {"id": "a", "kind": "local"}}
	"retry.max_attempts 50 exceeds the cap of 5" in baton.deny with input as inp
}

test_retry_within_cap if {
	baton.allow with input as {"method": "tools/call", "tool": "enqueue", "arguments": {"command": ["make"], "retry": {"max_attempts": 3}}, "principal": {"id": "a", "kind": "local"}}
}

test_timeout_cap if {
	inp := {"method": "tools/call", "tool": "enqueue", "arguments": {"command": ["make"], "timeout_seconds": 999999}, "principal": {"id": "a", "kind": "local"}}
	"timeout_seconds 999999 exceeds the cap of 14400" in baton.deny with input as inp
}

test_chain_steps_checked if {
	inp := {"method": "tools/call", "tool": "chain", "arguments": {"steps": [{"command": ["make"]}, {"command": ["curl", "x"]}]}, "principal": {"id": "a", "kind": "local"}}
	not baton.allow with input as inp
}

test_chain_depth_capped if {
	inp := {"method": "tools/call", "tool": "chain", "arguments": {"steps": [{"command": ["make"]}]}, "principal": {"id": "a", "kind": "local"}, "chain": {"depth": 11, "parent": 7}}
	"chain depth 11 exceeds the cap of 10" in baton.deny with input as inp
}

test_rate_limit if {
	inp := {"method": "tools/call", "tool": "enqueue", "arguments": {"command": ["make"]}, "principal": {"id": "a", "kind": "token"}, "stats": {"enqueues_last_minute": 60}}
	not baton.allow with input as inp
}

test_cancel_other_users_job_denied if {
	inp := {"method": "tools/call", "tool": "cancel", "arguments": {"job_id": 3}, "principal": {"id": "bob", "kind": "token"}, "job": {"id": 3, "principal": "alice"}}
	not baton.allow with input as inp
}

test_cancel_own_job_allowed if {
	inp := {"method": "tools/call", "tool": "cancel", "arguments": {"job_id": 3}, "principal": {"id": "bob", "kind": "token"}, "job": {"id": 3, "principal": "bob"}}
	baton.allow with input as inp
}

test_queue_pause_needs_local_user if {
	not baton.allow with input as {"method": "tools/call", "tool": "queue", "arguments": {"action": "pause", "queue": "q"}, "principal": {"id": "bob", "kind": "token"}}
	baton.allow with input as {"method": "tools/call", "tool": "queue", "arguments": {"action": "pause", "queue": "q"}, "principal": {"id": "me", "kind": "local"}}
}

test_unknown_tool_denied if {
	not baton.allow with input as {"method": "tools/call", "tool": "format_disk", "arguments": {}, "principal": {"id": "me", "kind": "local"}}
}

test_missing_command_denied if {
	not baton.allow with input as {"method": "tools/call", "tool": "enqueue", "arguments": {"queue": "q"}, "principal": {"id": "me", "kind": "local"}}
}

# ---- what the policy promises about the program, its environment and interpreters ------------

test_program_in_untrusted_directory_denied if {
	every argv in [["/any/dir/make"], ["./make"], ["bin/make", "all"], ["/usr/bin/../../tmp/make"]] {
		not baton.allow with input as enqueue(argv)
	}
	"program \"/any/dir/make\": a path must be in a trusted directory (data.baton.config.trusted_dirs: /usr/bin, /bin, /usr/local/bin)" in baton.deny with input as enqueue(["/any/dir/make"])
}

test_program_in_trusted_directory_allowed if {
	baton.allow with input as enqueue(["/usr/local/bin/cargo", "build"])
	baton.allow with input as enqueue(["/opt/tools/make"]) with data.baton.config as {"trusted_dirs": ["/opt/tools"], "allowed_commands": ["make"]}
}

with_env(argv, env) := {
	"method": "tools/call",
	"tool": "enqueue",
	"arguments": {"command": argv, "env": env},
	"principal": {"id": "alice", "kind": "local"},
	"chain": {"depth": 0, "parent": null},
	"stats": {"enqueues_last_minute": 0},
}

test_env_choosing_programs_denied if {
	every name in ["PATH", "LD_PRELOAD", "LD_AUDIT", "ld_library_path", "DYLD_INSERT_LIBRARIES", "PYTHONPATH", "NODE_OPTIONS", "BASH_ENV", "GIT_SSH_COMMAND", "GIT_CONFIG_GLOBAL"] {
		not baton.allow with input as with_env(["make"], {name: "/tmp/evil"})
	}
	"environment variable PATH is not allowed" in baton.deny with input as with_env(["make"], {"PATH": "/tmp/evil:/usr/bin"})
}

test_plain_env_allowed if {
	baton.allow with input as with_env(["make"], {"CI": "1", "TARGET": "unit"})
}

test_interpreter_inline_code_denied if {
	every argv in [["python3", "-c", "import os"], ["python3", "-Ic", "x"], ["python3", "-cprint(1)"], ["python3"], ["python3", "-"], ["python3", "-u", "-"], ["node", "-e", "1"], ["node", "--eval=1"], ["node", "-p", "1"], ["/usr/bin/python3", "-c", "x"]] {
		not baton.allow with input as enqueue(argv)
	}
	"python3 may only run a script file, not inline code (-c)" in baton.deny with input as enqueue(["python3", "-c", "import os"])
}

test_interpreter_scripts_allowed if {
	baton.allow with input as enqueue(["python3", "scripts/gen.py", "-c", "config.ini"])
	baton.allow with input as enqueue(["python3", "-m", "pytest", "-x"])
	baton.allow with input as enqueue(["node", "build.js"])
}

test_git_config_and_aliases_denied if {
	every argv in [["git", "-c", "alias.x=!sh -c id", "x"], ["git", "-calias.x=!id", "x"], ["git", "--exec-path=/tmp", "status"], ["git", "--config-env=core.pager=P", "log"], ["git", "deploy-alias"], ["git", "-C", "repo", "myalias"], ["git", "rebase", "-x", "make", "main"], ["git", "rebase", "--exec=id", "main"], ["git", "config", "alias.x", "!id"]] {
		not baton.allow with input as enqueue(argv)
	}
	"git may not be given configuration or programs on the command line (-c)" in baton.deny with input as enqueue(["git", "-c", "alias.x=!id", "x"])
	"git \"x\" is not one of git's own commands allowed here (aliases are not allowed)" in baton.deny with input as enqueue(["git", "x"])
}

test_git_own_commands_allowed if {
	every argv in [["git", "status"], ["git", "-C", "repo", "log", "--oneline"], ["git", "commit", "-c", "HEAD"], ["git", "clean", "-x", "-d"], ["git", "--version"], ["git", "rebase", "main"]] {
		baton.allow with input as enqueue(argv)
	}
}

test_expansion_is_not_rate_limited_again if {
	inp := {"method": "tools/call", "tool": "enqueue", "arguments": {"command": ["make"]}, "principal": {"id": "a", "kind": "token"}, "stats": {"enqueues_last_minute": 60}}
	baton.allow with input as object.remove(inp, ["x"]) with input.origin as "expansion"
	not baton.allow with input as inp with input.origin as "direct"
}
