#!/usr/bin/env python3
"""llama.cpp runs what `frugal export` writes (Tests/FrugalModelsTests/Fixtures/llamacpp_check.json).

Pinned: llama-cpp-python 0.3.16 (it vendors and compiles llama.cpp on install; minutes:
`nice reference/.venv/bin/pip install llama-cpp-python==0.3.16`), numpy.

For each tiny family fixture (Tests/FrugalModelsTests/Fixtures/families/<family>/model.gguf, the
file llama.cpp's converter wrote, with its synthetic gpt2 vocabulary t0…t127), the frugal binary
exports a GGUF (`frugal export model.gguf --type T`), llama.cpp loads it (F32 KV cache, one
thread), evaluates the golden
input row (12 tokens) and continues greedily from its first 5 tokens for 10 tokens (argmax of the
last logits, no sampling, no EOS stop). For Llama the base is also run with the adapter written by
`frugal export --adapter-only` (llama.cpp's --lora path), against `frugal export --adapter`
(merged). The fixture keeps llama.cpp's logits at positions 0, 5 and 11 and its greedy tokens; the
Swift test exports the same files, runs Frugal on them and compares.

Gemma 3 is left out: llama.cpp 0.3.16 crashes (SIGSEGV in llama_decode) on the tiny gemma3
fixture — on the converter's own model.gguf rewritten by gguf-py with a merges entry added, exactly
as on Frugal's export — so the tiny config itself (3 layers, head_dim 16 ≠ C/H 8, window 4) is what
it cannot run.

Run:  reference/.venv/bin/python reference/llamacpp_check.py [--frugal .build/release/frugal]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(ROOT, "Tests", "FrugalModelsTests", "Fixtures")
OUT = os.path.join(FIX, "llamacpp_check.json")
POSITIONS = [0, 5, 11]
CASES = [("llama", "f32"), ("llama", "q8_0"), ("llama", "q4_0"), ("mistral", "f32"), ("qwen2", "f32"),
         ("qwen2", "q8_0"), ("qwen3", "f32"), ("qwen3", "q4_k"), ("qwen3", "q6_k")]


def run_llama(path, ids, greedy_prompt, steps, lora=None):
    from llama_cpp import Llama
    # F32 KV cache (llama.cpp's default is F16, which alone moves the logits by ~1e-3).
    kw = dict(model_path=path, n_ctx=64, n_batch=64, logits_all=True, n_threads=1, verbose=False, seed=0,
              type_k=0, type_v=0)
    if lora:
        kw["lora_path"] = lora
    llm = Llama(**kw)
    llm.eval(ids)
    logits = np.array(llm.scores[: len(ids)], dtype=np.float32)
    llm.reset()
    llm.eval(greedy_prompt)
    out = []
    for _ in range(steps):
        t = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(t)
        llm.eval([t])
    del llm
    return logits, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frugal", default=os.path.join(ROOT, ".build", "release", "frugal"))
    args = ap.parse_args()
    import llama_cpp
    tmp = tempfile.mkdtemp(prefix="frugal-llamacpp-")
    result = {"generated_by": "reference/llamacpp_check.py",
              "versions": {"llama_cpp_python": llama_cpp.__version__, "numpy": np.__version__},
              "positions": POSITIONS, "cases": []}

    def export(src, out, *extra):
        cmd = [args.frugal, "export", src, "--output", out, *extra]
        subprocess.run(cmd, check=True, capture_output=True)

    for family, qtype in CASES + [("llama", "lora")]:
        folder = os.path.join(FIX, "families", family)
        golden = json.load(open(os.path.join(folder, "golden.json")))
        ids = golden["input_ids"][0]
        prompt = golden["greedy"]["prompt"]
        steps = golden["greedy"]["max_new_tokens"]
        src = os.path.join(folder, "model.gguf")
        if qtype == "lora":
            base = os.path.join(tmp, "llama-base.gguf")
            lora = os.path.join(tmp, "llama-lora.gguf")
            export(src, base, "--type", "f32")
            export(src, lora, "--type", "f32", "--adapter", os.path.join(folder, "adapter"), "--adapter-only")
            logits, greedy = run_llama(base, ids, prompt, steps, lora=lora)
        else:
            path = os.path.join(tmp, f"{family}-{qtype}.gguf")
            export(src, path, "--type", qtype)
            logits, greedy = run_llama(path, ids, prompt, steps)
        result["cases"].append({
            "family": family, "type": qtype, "input_ids": ids, "greedy_prompt": prompt,
            "llamacpp_greedy": greedy, "hf_greedy": golden["greedy"]["tokens"],
            "llamacpp_logits": [float(f"{v:.7g}") for p in POSITIONS for v in logits[p]],
        })
        print(f"{family:8s} {qtype:5s} llama.cpp greedy {greedy}  (transformers {golden['greedy']['tokens']})")
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    sys.exit(main())
