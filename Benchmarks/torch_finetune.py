#!/usr/bin/env python3
"""The Python stack's side of the fine-tuning benchmark: PyTorch + transformers + peft + bitsandbytes
on the CPU, the default model (SmolLM2-135M-Instruct, from the same GGUF, dequantized to fp32),
micro-batch 4 x 128 tokens (+1 for the shifted labels), LoRA r=8, alpha 16 on all seven
projections; 1 warm-up step, then 5 timed steps: tokens/s of the fastest step and of all five; QLoRA (NF4 + double quant, fp32 compute) with and without gradient checkpointing,
LoRA with and without, and full fine-tuning. Each configuration runs in its own process so its
peak RSS is its own. Prints the same columns as FrugalBench. `CONFIG DIR --serve`: the lockstep side of
compare_finetune.py (one step per line on stdin, as `FrugalBench serve`). Pinned: see
reference/requirements.txt."""
import os, resource, subprocess, sys, tempfile, time

CONFIGS = ["qlora", "qlora-ckpt", "lora", "lora-ckpt", "full"]

def one(name, hf_dir, serve=False):
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    torch.manual_seed(0)
    if name.startswith("qlora"):
        q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=torch.float32)
        model = AutoModelForCausalLM.from_pretrained(hf_dir, quantization_config=q, torch_dtype=torch.float32)
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=name.endswith("ckpt"))
    else:
        model = AutoModelForCausalLM.from_pretrained(hf_dir, torch_dtype=torch.float32)
        if name.endswith("ckpt"):
            model.gradient_checkpointing_enable()
            model.enable_input_require_grads()
    if name != "full":
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, task_type="CAUSAL_LM",
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(0, 49152, (4, 129))
    def step():
        out = model(input_ids=ids, labels=ids)
        out.loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    step()
    if serve:
        # Lockstep protocol (compare_finetune.py lockstep): one step per "step" line on stdin, its
        # seconds printed back; at end of input, the peak RSS.
        print("ready", flush=True)
        for line in sys.stdin:
            t0 = time.perf_counter(); step()
            print(f"step {time.perf_counter() - t0:.6f}", flush=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(f"done tokens {4 * 129} rss {rss}", flush=True)
        return
    times = []
    for _ in range(5):
        t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tokens = 4 * 129
    print(f"{name:<11} {tokens / min(times):8.1f} tokens/s (best step; all 5 steps {5 * tokens / sum(times):.1f})"
          f"   peak RSS {rss / 1e9:6.2f} GB", flush=True)

def prepare():
    """The default model as a plain fp32 HF folder (made once, in the temp folder)."""
    import torch
    from transformers import AutoModelForCausalLM
    home = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
    hf_dir = os.path.join(tempfile.gettempdir(), "frugal-bench-smollm2-hf")
    if not os.path.isdir(hf_dir):
        m = AutoModelForCausalLM.from_pretrained(os.path.join(home, "models"), gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
                                                 torch_dtype=torch.float32)
        # A GGUF-loaded model refuses save_pretrained: copy its fp32 weights into a plain one.
        d = m.config.to_dict(); d.pop("quantization_config", None)
        from transformers import LlamaConfig, LlamaForCausalLM
        plain = LlamaForCausalLM(LlamaConfig(**d))
        plain.load_state_dict(m.state_dict())
        plain.save_pretrained(hf_dir)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    return hf_dir

if __name__ == "__main__":
    if len(sys.argv) == 3:
        one(sys.argv[1], sys.argv[2]); sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[3] == "--serve":
        one(sys.argv[1], sys.argv[2], serve=True); sys.exit(0)
    hf_dir = prepare()
    if sys.argv[1:] == ["--prepare"]:
        sys.exit(0)
    for c in (sys.argv[1:] or CONFIGS):
        subprocess.run([sys.executable, __file__, c, hf_dir], check=False)
