#!/usr/bin/env python3
"""Side-by-side fine-tuning benchmark: Frugal (FrugalBench finetune CONFIG) against PyTorch +
transformers + peft + bitsandbytes (torch_finetune.py CONFIG), the default model, micro-batch 4 x 128
tokens, LoRA r 8 / alpha 16 on all seven projections. For each configuration the two stacks run
alternately, each in a fresh process (so peak RSS is its own), ROUNDS times. Each run times 5 steps after
a warm-up and reports the fastest step and all five together (this machine's speed drifts by +-20% over
seconds, which moves a 3-step total more than any change measured here); the best of each over the rounds
is kept and both ratios are printed next to the project's bars.

Usage: python Benchmarks/compare_finetune.py [ROUNDS] [CONFIG ...]   (from the repository root, after
`swift build -c release --product FrugalBench`; the Python side needs reference/requirements.txt)."""
import os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = ["qlora", "qlora-ckpt", "lora", "lora-ckpt", "full"]
BARS = {"qlora": 1.5, "qlora-ckpt": 1.5, "lora": 1.3, "lora-ckpt": 1.3, "full": 1.3}
RSS_BARS = {"qlora": 1.2, "qlora-ckpt": 0.6}
LINE = re.compile(r"^(\S+)\s+([\d.]+) tokens/s \(best step; all 5 steps ([\d.]+)\).*peak RSS\s+([\d.]+) GB")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = LINE.match(line.strip())
        if m:
            return float(m.group(2)), float(m.group(3)), float(m.group(4))   # best step, all steps, RSS
    print(f"  ({' '.join(cmd)} failed: {(r.stderr or r.stdout).strip()[-300:]})", flush=True)
    return None


def main():
    args = sys.argv[1:]
    rounds = int(args.pop(0)) if args and args[0].isdigit() else 2
    configs = args or CONFIGS
    bench = os.path.join(".build", "release", "FrugalBench")
    torch_script = os.path.join(HERE, "torch_finetune.py")
    # torch_finetune.py prepares the fp32 HF copy of the default model once (it prints the path's torch info).
    subprocess.run([sys.executable, torch_script, "--prepare"], check=True)
    hf_dir = os.path.join(__import__("tempfile").gettempdir(), "frugal-bench-smollm2-hf")
    rows = []
    for c in configs:
        best = {"frugal": (0.0, 0.0, 0.0), "torch": (0.0, 0.0, 0.0)}
        for r in range(rounds):
            for stack, cmd in [("frugal", [bench, "finetune", c]), ("torch", [sys.executable, torch_script, c, hf_dir])]:
                res = run(cmd)
                if res is None:
                    continue
                print(f"  {c:<11} round {r + 1} {stack:<7} best step {res[0]:7.1f} tokens/s, all steps {res[1]:7.1f}"
                      f"   peak RSS {res[2]:5.2f} GB", flush=True)
                b = best[stack]
                best[stack] = (max(b[0], res[0]), max(b[1], res[1]), max(b[2], res[2]))
        rows.append((c, best))
    print(f"\n## fine-tuning side by side ({rounds} alternating rounds; tokens/s of the fastest step, and of the"
          f" best round's 5 steps together; peak RSS)")
    print("config       Frugal best step  PyTorch best step  ratio (bar)   | all steps: Frugal  PyTorch  ratio"
          "   | Frugal RSS  PyTorch RSS  (RSS bar)")
    for c, b in rows:
        (fb, fa, fr), (tb, ta, tr) = b["frugal"], b["torch"]
        rb = fb / tb if tb else float("nan")
        ra = fa / ta if ta else float("nan")
        rss_bar = f"<= {RSS_BARS[c]} GB" if c in RSS_BARS else ""
        print(f"{c:<12} {fb:16.1f}  {tb:17.1f}  {rb:5.2f} (>= {BARS[c]})  | {fa:17.1f}  {ta:7.1f}  {ra:5.2f}"
              f"   | {fr:7.2f} GB  {tr:8.2f} GB  {rss_bar}")

if __name__ == "__main__":
    main()
