package a
x := [y | some y in [1, 2]; y > 1]
