#!/usr/bin/env python3
"""Golden logits and greedy continuations of SmolLM2-135M-Instruct (the default GGUF), computed by
transformers' own GGUF loader (dequantized to float32) and LlamaForCausalLM, for FrugalModelsTests.

Pinned: transformers==5.23.0, torch==2.15.0, gguf==0.19.0.  Run: python reference/model_fixtures.py
Writes Tests/FrugalModelsTests/Fixtures/smollm2_logits.json (small: top-k per position only, 32 greedy
tokens per prompt, and the mean NLL of a paragraph).
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

home = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
folder = os.path.join(home, "models")
name = "SmolLM2-135M-Instruct.Q4_1.gguf"
torch.manual_seed(0)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, torch_dtype=torch.float32)
model.eval()
tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)

prompts = [
    "The capital of France is",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
]
out = {"model": name, "transformers": "5.23.0", "torch": torch.__version__, "cases": []}
with torch.no_grad():
    for p in prompts:
        ids = tok(p, add_special_tokens=False)["input_ids"]
        logits = model(torch.tensor([ids])).logits[0]
        positions = []
        for t in range(len(ids)):
            top = torch.topk(logits[t], 5)
            positions.append({
                "top_ids": top.indices.tolist(),
                "top_logits": [float(x) for x in top.values],
                "logits_0_8": [float(x) for x in logits[t, :8]],
                "logsumexp": float(torch.logsumexp(logits[t], 0)),
            })
        gen = model.generate(torch.tensor([ids]), max_new_tokens=32, do_sample=False)[0, len(ids):].tolist()
        out["cases"].append({"prompt": p, "ids": ids, "positions": positions, "greedy": gen,
                             "greedy_text": tok.decode(gen)})

# Perplexity of a paragraph (one window): mean NLL of every token after the first.
paragraph = ("Training a language model on a laptop is slow but possible. The weights are frozen and stored "
             "in four bits, and only two small matrices per layer learn. Memory is the limit, not speed: "
             "the activations of every layer must be kept for the backward pass, unless they are recomputed.")
with torch.no_grad():
    pids = tok(paragraph, add_special_tokens=False)["input_ids"]
    out_ppl = model(torch.tensor([pids]), labels=torch.tensor([pids]))
out["perplexity"] = {"text": paragraph, "ids": pids, "mean_nll": float(out_ppl.loss)}

dest = os.path.join(os.path.dirname(__file__), "..", "Tests", "FrugalModelsTests", "Fixtures", "smollm2_logits.json")
with open(dest, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", dest)
