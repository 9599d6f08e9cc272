package a
import rego.v1
f(x) := 1 if x > 0 else := 2
p if not f(input.a) with input as {"a": 1}
