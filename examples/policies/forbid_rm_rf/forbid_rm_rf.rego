# Forbid recursive+forced deletion anywhere in a submitted command: in argv, and inside the
# script of a shell (`sh -c "... && rm -rf x"`). Adapted from the p02 scenario.
package baton

import rego.v1

default allow := false

allow if count(deny) == 0

job_specs contains input.arguments if input.tool == "enqueue"

job_specs contains step if {
	input.tool == "chain"
	some step in input.arguments.steps
}

# argv itself, and every argument split into simple commands at ; & | and into words.
tokens contains argv if {
	some spec in job_specs
	argv := spec.command
}

tokens contains toks if {
	some spec in job_specs
	some arg in spec.command
	some segment in regex.split(`[;&|]+`, arg)
	toks := [t | some t in split(trim_space(segment), " "); t != ""]
}

recursive(toks, i) if {
	some j, t in toks
	j > i
	t == "--recursive"
}

recursive(toks, i) if {
	some j, t in toks
	j > i
	regex.match(`^-[A-Za-z]*[rR]`, t)
}

forced(toks, i) if {
	some j, t in toks
	j > i
	t == "--force"
}

forced(toks, i) if {
	some j, t in toks
	j > i
	regex.match(`^-[A-Za-z]*f`, t)
}

deny contains msg if {
	some toks in tokens
	some i, t in toks
	t in {"rm", "/bin/rm", "/usr/bin/rm"}
	recursive(toks, i)
	forced(toks, i)
	msg := sprintf("'rm' with recursive and force flags is forbidden: %s", [concat(" ", toks)])
}
