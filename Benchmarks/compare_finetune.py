#!/usr/bin/env python3
"""Side-by-side fine-tuning benchmark: Frugal (FrugalBench finetune CONFIG) against PyTorch +
transformers + peft + bitsandbytes (torch_finetune.py CONFIG), the default model, micro-batch 4 x 128
tokens, LoRA r 8 / alpha 16 on all seven projections. For each configuration the two stacks run
alternately, each in a fresh process (so peak RSS is its own), ROUNDS times. Each run times 5 steps after
a warm-up and reports the fastest step and all five together (this machine's speed drifts by +-20% over
seconds, which moves a 3-step total more than any change measured here); the best of each over the rounds
is kept and both ratios are printed next to the project's bars.

Usage: python Benchmarks/compare_finetune.py [ROUNDS] [CONFIG ...]   (from the repository root, after
`swift build -c release --product FrugalBench`; the Python side needs reference/requirements.txt).

Lockstep mode: python Benchmarks/compare_finetune.py lockstep [STEPS] [CONFIG ...] keeps one process of
each stack alive per configuration (`FrugalBench serve CONFIG`, `torch_finetune.py CONFIG DIR --serve`).
After their warm-up (and two more uncounted steps each) it asks them for one step at a time, alternately
(F T, T F, F T, ...), with a quarter-second pause before each step so that neither stack's idle threads
are still spinning. The two steps of a pair run within ~5 seconds of each other, so this VM's drift over
minutes cancels in their ratio. It prints the median of the STEPS (default 12) pair ratios with their
range, the ratios of the median and of the fastest steps, and each process's peak RSS."""
import os, re, statistics, subprocess, sys, time

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


class Server:
    """One stack's process in lockstep mode."""
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.expect("ready")

    def expect(self, word):
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError(f"{self.p.args} ended before '{word}'")
            if line.startswith(word):
                return line.split()

    def step(self):
        time.sleep(0.25)
        self.p.stdin.write("step\n")
        return float(self.expect("step")[1])

    def finish(self):
        self.p.stdin.close()
        f = self.expect("done")
        self.p.wait()
        return int(f[2]), int(f[4])   # tokens per step, peak RSS bytes


def setup(args, default_count):
    """(count, configs, FrugalBench path, torch_finetune.py path, HF folder) from the arguments;
    torch_finetune.py prepares the fp32 HF copy of the default model once (and prints torch's info)."""
    count = int(args.pop(0)) if args and args[0].isdigit() else default_count
    torch_script = os.path.join(HERE, "torch_finetune.py")
    subprocess.run([sys.executable, torch_script, "--prepare"], check=True)
    hf_dir = os.path.join(__import__("tempfile").gettempdir(), "frugal-bench-smollm2-hf")
    return count, args or CONFIGS, os.path.join(".build", "release", "FrugalBench"), torch_script, hf_dir


def lockstep(args):
    steps, configs, bench, torch_script, hf_dir = setup(args, 12)
    rows = []
    for c in configs:
        servers = {"frugal": Server([bench, "serve", c]),
                   "torch": Server([sys.executable, torch_script, c, hf_dir, "--serve"])}
        times = {"frugal": [], "torch": []}
        # Two more warm-up steps each, not counted: PyTorch's first steps after its warm-up run
        # 10-40% slower than its later ones.
        for _ in range(2):
            for stack in ("frugal", "torch"):
                servers[stack].step()
        for i in range(steps):
            for stack in (["frugal", "torch"] if i % 2 == 0 else ["torch", "frugal"]):
                times[stack].append(servers[stack].step())
            print(f"  {c:<11} pair {i + 1:2d}  Frugal {times['frugal'][-1]:6.3f} s  PyTorch {times['torch'][-1]:6.3f} s"
                  f"  ratio {times['torch'][-1] / times['frugal'][-1]:5.2f}", flush=True)
        (ft, frss), (tt, trss) = servers["frugal"].finish(), servers["torch"].finish()
        ratios = [(t / tt) / (f / ft) for f, t in zip(times["frugal"], times["torch"])]
        rows.append((c, ft / statistics.median(times["frugal"]), tt / statistics.median(times["torch"]),
                     statistics.median(ratios), min(ratios), max(ratios),
                     (ft / min(times["frugal"])) / (tt / min(times["torch"])), frss, trss))
    print(f"\n## fine-tuning side by side, lockstep ({steps} pairs of neighbouring steps; tokens/s of the median step;"
          f" ratio = PyTorch's step time / Frugal's, per pair)")
    print("config       Frugal  PyTorch   median pair ratio [range]  (bar)   median-step  fastest-step"
          "   | Frugal RSS  PyTorch RSS  (RSS bar)")
    for c, fm, tm, rm, rlo, rhi, rf, frss, trss in rows:
        rss_bar = f"<= {RSS_BARS[c]} GB" if c in RSS_BARS else ""
        print(f"{c:<12} {fm:6.1f}  {tm:7.1f}   {rm:5.2f} [{rlo:4.2f}-{rhi:4.2f}]        (>= {BARS[c]})  {fm / tm:5.2f}"
              f"        {rf:5.2f}         | {frss / 1e9:7.2f} GB  {trss / 1e9:8.2f} GB  {rss_bar}")


def main():
    args = sys.argv[1:]
    if args and args[0] == "lockstep":
        return lockstep(args[1:])
    rounds, configs, bench, torch_script, hf_dir = setup(args, 2)
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
