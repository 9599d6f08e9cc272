package t

import rego.v1

r_match := [regex.match(`^[a-z]+$`, "abc"), regex.match(`^[a-z]+$`, "aBc"), regex.match(`b`, "abc"), regex.match(`^-[A-Za-z]*[rR]`, "-rf")]

r_split := [regex.split(`[;&|]+`, "a && b | c;d"), regex.split(`,`, "x"), regex.split(`\s+`, " a  b "), regex.split(`x*`, "abc")]

r_find := [regex.find_n(`[0-9]+`, "a1b22c333", -1), regex.find_n(`[0-9]+`, "a1b22c333", 2)]

r_valid := [regex.is_valid(`a(`), regex.is_valid(`a+`)]

r_bad_pattern := regex.match(`a(`, "a")

r_dynamic := regex.match(input.pattern, input.value)

r_glob := [
	glob.match("/srv/jobs/**", ["/"], "/srv/jobs/a/b"),
	glob.match("/srv/jobs/**", ["/"], "/srv/jobs"),
	glob.match("/tmp/agent-*/**", ["/"], "/tmp/agent-1/x"),
	glob.match("/tmp/agent-*/**", ["/"], "/tmp/agent-1/sub/x"),
	glob.match("/tmp/agent-*", ["/"], "/tmp/agent-1/x"),
	glob.match("*.rego", [], "a.rego"),
	glob.match("*.rego", [], "a.b.rego"),
	glob.match("*.rego", null, "a.b.rego"),
	glob.match("file?.txt", ["/"], "file1.txt"),
	glob.match("[a-c]x", [], "bx"),
	glob.match("[!a-c]x", [], "bx"),
	glob.match("{foo,bar}.md", [], "bar.md"),
	glob.match("{foo,bar}.md", [], "baz.md"),
	glob.match("a\\*b", [], "a*b"),
]
