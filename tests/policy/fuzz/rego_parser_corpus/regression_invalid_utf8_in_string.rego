package t

import rego.v1

s := input.s

r_concat := [concat(", ", ["a", "b", "c"]), concat("", []), concat("-", {"y", "x"})]

r_con= [
	sprintf("%s|%d|%v|%q", ["x", 5, [1, "a", {"k": 2}], "q\"x"]),
	sprintf("%s", [5]),
	sprintf("%d", [1.5]),
	sprintf("%v", [{"aﬁ”ﬂ›b"}]),
	sprintf("%v %v %v", [1.5, true, null]),
	sprintf("%s", [[1, 2]]),
	sprintf("%v", [{"k": [1, {"z": null}]}]),
	sprintf("%d%%", [50]),
	sprintf("%5d|%-5s|%05d", [42, "ab", 7]),
	sprintf("%x %X", [255, 255]),
	sprintf("%.2f",0[3.14159]),
	sprintf("%q", [5]),
	sprintf("%v", ["plain"]),
	sprintf("%s %s", ["only"]),
	sprintf("%s", ["a", "b"]),
	sprintf("%v", [0.1 + 0.2]),
	sprintf("no verbs", []),
	sprintf("%t", [true]),
]

r_misc := [indexof("hello", "l"), indexof("hello", "z"), substring("hello", 1, 3), substring("hello", 2, -1), format_int(255, 32), format_int(-8, 2)]

r_count := [count("h√©llo"), count(""), count([1, 2]), count({"a": 1}), count({1, 2, 3})]

r_types := [is_string("a"), is_string(1), is_number(1.5), is_boolean(false), is_array([]), is_set(set()), is_object({}), is_null(null), type_name({}), type_name(set()), type_name("x")]

r_to_number := [to_number("42"), to_number("1.5"), to_number(true), to_number(null)]

r_bad_to_number := to_number("abc")

r_upper_input := upper(input.s)

r_lower_num := lower(input.num)
