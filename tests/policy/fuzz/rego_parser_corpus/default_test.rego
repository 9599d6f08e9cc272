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
