#!/usr/bin/env python3
"""Golden token ids, logits, greedy continuations and perplexity of Gemma 3 270M (pretrained, the
Q4_K_M GGUF that scripts/fetch-gemma3 puts in the model cache as gemma3-270m.gguf), computed by
transformers' own GGUF loader (every tensor dequantized by gguf-py to float32, norm weights shifted
back by -1 by its Gemma2TensorProcessor) and Gemma3ForCausalLM, for Gemma3RealModelTests.

What transformers reads from this GGUF (checked against reference/family_notes.md): the file has no
layer types, no query_pre_attn_scalar and no rope.freq_base_swa, so Gemma3TextConfig's defaults
apply: sliding_window_pattern 6 (layers 5, 11, 17 full), query_pre_attn_scalar 256 (= head_dim, as
llama.cpp assumes), local RoPE base 10,000; sliding_window 512 and the global base 1e6 come from the
file. The tokenizer is rebuilt from tokenizer.ggml.* (GemmaTokenizer: spaces -> U+2581, no prefix
space, byte fallback, BOS added).

Pinned: transformers==5.23.0, torch==2.15.0, gguf==0.19.0.
Run: nice reference/.venv/bin/python reference/gemma3_fixtures.py   (needs scripts/fetch-gemma3)
Writes Tests/FrugalModelsTests/Fixtures/gemma3_270m.json (~30 KB).
"""
import json, math, os
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

home = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
folder = os.path.join(home, "models")
name = "gemma3-270m.gguf"
torch.manual_seed(0)
torch.set_num_threads(max(1, (os.cpu_count() or 2)))
tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
model.eval()
cfg = model.config

texts = [
    "",
    "Hello world",
    " leading space",
    "trailing space ",
    "  two  spaces   three",
    "line one\nline two\n\nblank above",
    "\ttab\tand\n\n\nnewlines\r\n",
    "naïve café résumé Ångström",
    "日本語のテキストと中文文本",
    "emoji 🤗🚀 and 👩‍💻 zwj",
    "Привет, мир! Γειά σου κόσμε.",
    "مرحبا بالعالم — हिन्दी पाठ",
    "1234567 3.14159 1e-10 0x1F",
    "def f(x):\n    return x**2  # square",
    "https://example.com/path?q=1&r=two#frag",
    "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n",
    "<bos>literal specials<eos> and <pad>",
    "ALLCAPS wordsWithCamelCase snake_case_name",
    "a\u00a0non-breaking\u2009thin space",
    "The quick brown fox jumps over the lazy dog.",
]

prompts = [
    "The capital of France is",
    "def fibonacci(n):\n    ",
    "Once upon a time, in a small village,",
]

paragraph = (
    "Training a language model on a laptop is slow but possible. The weights are frozen and stored in four "
    "bits, and only two small matrices per layer learn. Memory is the limit, not speed: the activations of "
    "every layer must be kept for the backward pass, unless they are recomputed. A small model with a large "
    "vocabulary spends most of its parameters on the embedding table, which is shared with the output head, "
    "so the final projection over two hundred and sixty thousand tokens dominates the cost of every step. "
    "Quantization shrinks the stored weights, but the arithmetic still happens in single precision, and the "
    "optimizer keeps two moments for every trainable number. Careful bookkeeping of these pieces tells you "
    "in advance whether a run will fit, and how long it will take on the machine you actually have."
)

def row_stats(row):
    top = torch.topk(row, 20)
    return {
        "top_ids": top.indices.tolist(),
        "top_logits": [float(x) for x in top.values],
        "mean": float(row.mean()),
        "std": float(row.std(unbiased=False)),
        "min": float(row.min()),
        "logsumexp": float(torch.logsumexp(row, 0)),
        "logits_0_8": [float(x) for x in row[:8]],
    }

out = {
    "generated_by": "reference/gemma3_fixtures.py",
    "versions": {"torch": torch.__version__, "transformers": "5.23.0", "gguf": "0.19.0"},
    "model": name,
    "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    "config": {"layer_types": list(cfg.layer_types), "sliding_window": cfg.sliding_window,
               "query_pre_attn_scalar": cfg.query_pre_attn_scalar, "head_dim": cfg.head_dim,
               "rope_parameters": cfg.rope_parameters, "vocab_size": cfg.vocab_size},
    "tokenizer": [],
    "prompts": [],
}
for t in texts:
    with_bos = tok(t)["input_ids"]
    without = tok(t, add_special_tokens=False)["input_ids"]
    out["tokenizer"].append({"text": t, "ids": with_bos, "ids_no_special": without,
                             "decoded": tok.decode(without)})

with torch.no_grad():
    for p in prompts:
        ids = tok(p)["input_ids"]
        logits = model(torch.tensor([ids])).logits[0, -1]
        # Greedy, argmax each step on the full sequence (no cache, no EOS stop): 20 tokens.
        seq = list(ids)
        for _ in range(20):
            seq.append(int(model(torch.tensor([seq])).logits[0, -1].argmax()))
        gen = seq[len(ids):]
        out["prompts"].append({"prompt": p, "ids": ids, "last": row_stats(logits), "greedy": gen,
                               "greedy_text": tok.decode(gen)})

    pids = tok(paragraph)["input_ids"]
    loss = model(torch.tensor([pids]), labels=torch.tensor([pids])).loss
out["perplexity"] = {"text": paragraph, "ids": pids, "scored_tokens": len(pids) - 1,
                     "mean_nll": float(loss), "perplexity": math.exp(float(loss))}

dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalModelsTests", "Fixtures", "gemma3_270m.json")
with open(dest, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(dest), "perplexity", out["perplexity"]["perplexity"], "tokens", len(pids))
for c in out["prompts"]:
    print(repr(c["prompt"]), "->", repr(c["greedy_text"]))
