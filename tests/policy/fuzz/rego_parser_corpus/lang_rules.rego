package t

import rego.v1

default allow := false

allow if {
	input.user == "alice"
	input.action in {"read", "write"}
}

default level := "none"

level := "admin" if {
	input.user == "root"
} else := "user" if {
	startswith(input.user, "a")
} else := "guest"

names contains n if {
	some u in input.users
	n := u.name
}

names contains "always"

by_name[u.name] := u.age if {
	some u in input.users
}

double(x) := x * 2

classify(x) := "small" if x < 10

classify(x) := "big" if x >= 10

is_even(x) if x % 2 == 0

dbl := double(input.n)

cls := classify(input.n)

even := is_even(input.n)

not_even if not is_even(input.n)

first_big := [x | some x in input.nums; x > 2]

set_compr := {x | some x in input.nums; x > 1}

obj_compr := {k: v | some k, v in input.obj; v > 1}

arith := [1 + 2, 7 - 10, 3 * 4, 7 / 2, 7 % 3, 0 - input.n]

sets := [{1, 2} | {2, 3}, {1, 2} & {2, 3}, {1, 2} - {2, 3}]

cmp := [1 < 2, "a" < "b", 1 == 1.0, [1] == [1], {"a": 1} != {"a": 2}, null < false]

unify_arr if {
	[a, b] = [1, input.n]
	a + b > 1
}

unify_obj := v if {
	{"k": v} = input.obj2
}

assign_chain := y if {
	x := input.n
	y := x + 1
}

age_of_bob := by_name.bob

n_names := count(names)

pkg_has_allow := data.t.allow

composite := {"list": [input.n, "s"], "set": {input.n}, "obj": {"n": input.n}}

ref_chain := input.deep.a.b[1].c

idx := input.nums[1]

var_idx contains i if {
	input.nums[i] > 1
}
