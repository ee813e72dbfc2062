#!/usr/bin/env python3
"""Side-by-side inference benchmark on the default model (SmolLM2-135M-Instruct, the same GGUF file):
Frugal (Float32 weights; block linears in 4 bits) against llama.cpp (llama-cpp-python, the file as it
is: Q4_1 linears, Q8_0 embeddings) and transformers (the GGUF dequantized to fp32, eager), all at 2
threads: a 128-token prompt, then 128 tokens decoded one at a time after it. Engines alternate, each
in its own process, for ROUNDS rounds; the best round of each is kept. Prints one table and the
ratios the project's bars are stated in.

Usage: python Benchmarks/compare_inference.py [ROUNDS]   (run from the repository root, after
`swift build -c release --product FrugalBench`). Pinned: see reference/requirements.txt
(llama-cpp-python==0.3.16 builds llama.cpp from source on install: several minutes on 2 cores)."""
import json, os, subprocess, sys, tempfile, time

HOME = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
GGUF = os.path.join(HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
PROMPT = [100 + (i * 37) % 20000 for i in range(128)]   # the same ids FrugalBench uses
THREADS = 2


def llamacpp():
    from llama_cpp import Llama
    llm = Llama(model_path=GGUF, n_threads=THREADS, n_threads_batch=THREADS, n_ctx=512, n_batch=512, verbose=False)
    llm.eval(PROMPT[:8]); llm.reset()   # warm up
    best_p = best_d = 0.0
    for _ in range(3):
        llm.reset()
        t0 = time.perf_counter(); llm.eval(PROMPT); tp = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(128):
            llm.eval([PROMPT[i]])
        td = time.perf_counter() - t0
        best_p, best_d = max(best_p, 128 / tp), max(best_d, 128 / td)
    print(json.dumps({"engine": "llama.cpp", "prompt_tokens_per_s": round(best_p, 2), "decode_tokens_per_s": round(best_d, 2)}))


def transformers_fp32():
    import torch
    from transformers import AutoModelForCausalLM
    torch.set_num_threads(THREADS)
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(GGUF), gguf_file=os.path.basename(GGUF),
                                                 torch_dtype=torch.float32).eval()
    ids = torch.tensor([PROMPT])
    best_p = best_d = 0.0
    with torch.inference_mode():
        model(ids[:, :8])   # warm up
        for _ in range(2):
            t0 = time.perf_counter(); out = model(ids, use_cache=True); tp = time.perf_counter() - t0
            past, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
            t0 = time.perf_counter()
            for _ in range(128):
                out = model(nxt, past_key_values=past, use_cache=True)
                past, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
            td = time.perf_counter() - t0
            best_p, best_d = max(best_p, 128 / tp), max(best_d, 128 / td)
    print(json.dumps({"engine": "transformers-fp32", "prompt_tokens_per_s": round(best_p, 2), "decode_tokens_per_s": round(best_d, 2)}))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0 or not lines:
        print(f"  ({' '.join(cmd)} failed: {r.stderr.strip()[-300:]})", flush=True)
        return None
    return json.loads(lines[-1])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    bench = os.path.join(".build", "release", "FrugalBench")
    me = [sys.executable, __file__]
    engines = [[bench, "generate", "fp32"], [bench, "generate", "nf4"], me + ["--llamacpp"], me + ["--transformers"]]
    best = {}
    for r in range(rounds):
        for cmd in engines:
            res = run(cmd)
            if res is None:
                continue
            e = res["engine"]
            print(f"  round {r + 1}: {e:<18} prompt {res['prompt_tokens_per_s']:7.1f} tok/s   decode {res['decode_tokens_per_s']:6.1f} tok/s", flush=True)
            b = best.setdefault(e, {"prompt_tokens_per_s": 0, "decode_tokens_per_s": 0})
            for k in b:
                b[k] = max(b[k], res[k])
    print(f"\n## inference side by side, {THREADS} threads, 128-token prompt, 128 decoded tokens (best of {rounds} alternating rounds)")
    print("engine               prompt tok/s   decode tok/s")
    for e, b in best.items():
        print(f"{e:<20} {b['prompt_tokens_per_s']:12.1f}   {b['decode_tokens_per_s']:12.1f}")
    f32, nf4, lc, tf = (best.get(k) for k in ["frugal-fp32", "frugal-nf4", "llama.cpp", "transformers-fp32"])
    if nf4 and lc:
        print(f"4-bit decode / llama.cpp decode:   {nf4['decode_tokens_per_s'] / lc['decode_tokens_per_s']:.2f}  (bar >= 0.75)")
        print(f"4-bit prompt / llama.cpp prompt:   {nf4['prompt_tokens_per_s'] / lc['prompt_tokens_per_s']:.2f}  (bar >= 1)")
    if f32 and lc:
        print(f"fp32 prompt / llama.cpp prompt:    {f32['prompt_tokens_per_s'] / lc['prompt_tokens_per_s']:.2f}")
    if f32 and tf:
        print(f"fp32 decode / transformers decode: {f32['decode_tokens_per_s'] / tf['decode_tokens_per_s']:.2f}  (bar >= 10)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--llamacpp"]:
        llamacpp()
    elif sys.argv[1:] == ["--transformers"]:
        transformers_fp32()
    else:
        main()
