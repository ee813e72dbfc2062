// FrugalBench — `make bench`. Filled by the foundation issue.
print("bench")
