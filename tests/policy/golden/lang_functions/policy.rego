package t

import rego.v1

kind("enqueue") := "write"

kind("chain") := "write"

kind("status") := "read"

kind(x) := "other" if not x in {"enqueue", "chain", "status"}

grade(score) := "a" if {
	score >= 90
} else := "b" if {
	score >= 80
} else := "c"

add(a, b) := a + b

add3(a, b, c) := add(add(a, b), c)

first([x, _]) := x

pick({"k": v}) := v

is_admin(user) if user.role == "admin"

is_admin(user) if user.name == "root"

kinds := [kind("enqueue"), kind("status"), kind("x")]

grades := [grade(95), grade(85), grade(10)]

sum3 := add3(1, 2, input.n)

firsts := [first([1, 2]), first(input.pair)]

picked := pick(input.obj)

admins contains u.name if {
	some u in input.users
	is_admin(u)
}

non_admins contains u.name if {
	some u in input.users
	not is_admin(u)
}

by_kind[k] := names if {
	some k in {"read", "write"}
	names := [t | some t in input.tools; kind(t) == k]
}

nested_compr := {k: count(v) | some k, v in by_kind}

undefined_arg := kind(input.missing)

shadow := x if {
	x := 5
	y := [x | some x in [1, 2]]
	count(y) == 2
}
