package t

import rego.v1

all_positive if {
	every x in input.nums {
		x > 0
	}
}

all_keys_short if {
	every k, v in input.obj {
		count(k) < 3
		v != null
	}
}

any_big if {
	some x in input.nums
	x > 100
}

pairs contains [k, v] if {
	some k, v in input.obj
}

idx_pairs contains [i, x] if {
	some i, x in input.nums
}

wildcard contains x if {
	x := input.nums[_]
}

nested_pairs contains [a, b] if {
	some a in input.nums
	some b in input.nums
	a < b
	a + b == 5
}

some_decl contains x if {
	some i
	x := input.nums[i] * 10
}

every_empty if {
	every x in [] {
		x > 1000
	}
}

every_missing if {
	every x in input.missing {
		x > 0
	}
}

set_iter contains x if {
	some x in {"b", "a"}
}

obj_keys contains k if {
	input.obj[k]
}

compr_nested := [[x, y] | some x in [1, 2]; some y in ["a", "b"]]

count_matching := count([x | some x in input.nums; x > 1])

in_expr := [2 in input.nums, 7 in input.nums, "a" in {"a"}, 1 in {"k": 1}]

some_in_pattern contains name if {
	some {"name": name, "ok": true} in input.items
}

every_nested if {
	every item in input.items {
		every c in item.tags {
			startswith(c, "t")
		}
	}
}
