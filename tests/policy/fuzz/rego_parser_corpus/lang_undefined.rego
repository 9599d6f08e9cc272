package t

import rego.v1

f(x) if x == 1

g(x) := x

a1 if not f(input.missing)

a2 if not input.missing == 1

a3 if not count(input.missing) > 0

a4 if not input.missing

a5 if not startswith(input.missing, "a")

a6 if not input.missing > 0

a7 if not input.missing in {1}

a8 if not g(input.missing) == 1

a9 if not input.xs[input.missing]

b1 if not f(input.x)

b2 if not f(nope)

nope := input.missing

deny contains msg if {
	input.kind == "bad"
	msg := sprintf("bad thing %s", [input.name])
}

deny contains msg if {
	input.kind == "bad"
	msg := sprintf("bad count %d", [count(input.things)])
}

deny contains "static" if input.kind == "bad"

builtin_error if {
	x := 1 / input.zero
	x > 0
}

builtin_error_not if not 1 / input.zero

type_error_count := count(input.n)

plus_string := input.name + 1

undefined_in_array := [input.missing]

undefined_in_compr := [x | x := input.missing]

b3 if not b_false

b_false := false

b4 if not b_undef

b_undef if input.nothing

c1 := object.get(input, "missing", "dflt")

c2 := object.get(input, ["a", "b"], "dflt")

c3 := object.get(input, ["x", "y"], "dflt")

conflict_free := v if {
	v := 1
	input.x
}

neg_member if not "x" in input.list
