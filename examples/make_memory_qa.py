#!/usr/bin/env python3
"""Writes examples/memory-qa/{train,valid}.jsonl: chat examples that teach a model to answer
"how much memory do the weights need" questions with the arithmetic and a fixed format.
Deterministic; the data is generated here and released with the project (MIT)."""
import json, os, random

sizes = [("125M", 125e6), ("135M", 135e6), ("360M", 360e6), ("1B", 1e9), ("1.7B", 1.7e9), ("3B", 3e9),
         ("7B", 7e9), ("8B", 8e9), ("13B", 13e9), ("34B", 34e9), ("65B", 65e9), ("70B", 70e9)]
formats = [("fp32", 4, "32-bit floats"), ("fp16", 2, "16-bit floats"), ("bf16", 2, "bfloat16"),
           ("int8", 1, "8-bit integers"), ("nf4", 0.5, "4-bit NormalFloat")]
questions = ["How much memory do the weights of a {n} model need in {f}?",
             "What do the weights of a {n} parameter model take in {f}?",
             "I want to load a {n} model in {f}. How big are the weights?",
             "Memory for {n} parameters stored as {f}?"]

def human(b):
    return f"{b/1e9:.1f} GB" if b >= 1e9 else f"{b/1e6:.0f} MB"

rows = []
for name, n in sizes:
    for f, bytes_, long in formats:
        for q in questions:
            total = n * bytes_
            a = f"In short: {name} parameters × {bytes_:g} bytes ({long}) = {human(total)}."
            rows.append({"messages": [{"role": "user", "content": q.format(n=name, f=f)},
                                      {"role": "assistant", "content": a}]})
random.Random(0).shuffle(rows)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "memory-qa")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "train.jsonl"), "w") as t:
    for r in rows[:200]: t.write(json.dumps(r, ensure_ascii=False) + "\n")
with open(os.path.join(out, "valid.jsonl"), "w") as v:
    for r in rows[200:220]: v.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), "examples;", 200, "train,", 20, "valid")
