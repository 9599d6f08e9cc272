package t

import rego.v1

p := 1 if input.one

p := 2 if input.two

obj[k] := v if {
	some k, v in input.pairs
}

obj["fixed"] := 0 if input.fixed

f(x) := 1 if x > 0

f(x) := 2 if x > 1

uses_f := f(input.n)

ok := "fine"
