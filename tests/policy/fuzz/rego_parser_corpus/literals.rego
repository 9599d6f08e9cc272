package a
s := {1, 2} | {3}
o := {"k": `raw`, "n": -1.5e3}
