package t

import rego.v1

r_agg := [sum([1, 2, 3.5]), sum([]), max([3, 1, 2]), min([3, 1, 2]), max({"b", "a"}), product([2, 3])]

r_max_empty := max([])

r_sum_bad := sum(input.strs)

r_sort := [sort([3, 1, 2]), sort({"b", "a"}), sort(["b", "a", "c"]), sort([3, "a", null, [1], {"x": 1}, true, 2.5])]

r_round := [round(2.5), round(-2.5), round(2.4), ceil(1.1), floor(1.9), abs(-3)]

r_div := [7 / 2, 6 / 2, 1 / 3, 10 % 4, -7 % 3]

r_div_zero := 1 / 0

r_mod_float := 5.5 % 2

r_big := [1795511520000000000 + 0, 9007199254740993, input.big]

r_obj := [object.get({"a": 1}, "a", 0), object.get({"a": 1}, "b", 0), object.get({"a": {"b": 2}}, ["a", "b"], 0), object.keys({"x": 1, "y": 2}), object.remove({"a": 1, "b": 2}, ["a"])]

r_arr := [array.concat([1, 2], [3]), array.slice([1, 2, 3, 4], 1, 3), array.slice([1, 2], 5, 9)]

r_sets := [union({{1}, {2, 3}}), intersection({{1, 2}, {2, 3}}), numbers.range(1, 4), numbers.range(3, 1)]

r_input_sum := sum(input.nums)

r_cmp_mixed := [1 < "a", [] < {}, {} < set(), false < 0]
