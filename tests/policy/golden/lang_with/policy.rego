package t

import rego.v1

limit := 3

over if input.n > limit

names contains n if {
	some n in input.names
}

a if over with input as {"n": 5}

b if over with input.n as 2

c if over with input as {"n": 2} with data.t.limit as 1

d := x if {
	x := data.cfg.x with data.cfg.x as "patched"
}

e := data.cfg.x

f := n if {
	n := count(names) with input.names as ["a", "b", "a"]
}

g if {
	not over with input.n as 0
}

h := v if {
	v := [over | true] with input.n as 100
}

i := x if {
	x := names with input as {"names": ["z"]}
}
