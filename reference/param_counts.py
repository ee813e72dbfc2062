"""param_counts.py — parameter counts and inventories that transformers instantiates.

Pinned stack: transformers 5.23, torch 2.15 (reference/.venv, see reference/requirements.txt). Deterministic: models are
built from published config values on the meta device (no weights, no RNG, no downloads).

Prints one JSON object to stdout:
  "totals":   {preset name: sum of numel over model.parameters()} for every Frugal preset that
              transformers can build (Llama, Mistral, Qwen2, GPT-2 families);
  "inventories": {tiny config name: [[name, shape], ...]} from model.named_parameters() for small
              configs covering GQA, biases, explicit head_dim, tied and untied heads.
The numbers are embedded in Tests/FrugalEstimateTests and Tests/FrugalSpecTests (see their comments).
Run: reference/.venv/bin/python reference/param_counts.py > /tmp/param_counts.json
"""
import json
import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

assert transformers.__version__.startswith("5.23"), transformers.__version__

def llama(**kw):  return ("llama", kw)
def mistral(**kw): return ("mistral", kw)
def qwen2(**kw):  return ("qwen2", kw)
def gpt2(**kw):   return ("gpt2", kw)

# Published configurations (the same values as Sources/FrugalSpec/ModelPreset+Catalog.swift).
PRESETS = {
    # EstimateJSONTests.testFamiliesCountExactly
    "Qwen3-0.6B": ("qwen3", dict(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                                 num_attention_heads=16, num_key_value_heads=8, head_dim=128, tie_word_embeddings=True)),
    "Gemma-3-270M": ("gemma3_text", dict(vocab_size=262144, hidden_size=640, intermediate_size=2048, num_hidden_layers=18,
                                         num_attention_heads=4, num_key_value_heads=1, head_dim=256,
                                         tie_word_embeddings=True, sliding_window=512)),
    "SmolLM2-135M": llama(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                          num_attention_heads=9, num_key_value_heads=3, tie_word_embeddings=True),
    "SmolLM2-360M": llama(vocab_size=49152, hidden_size=960, intermediate_size=2560, num_hidden_layers=32,
                          num_attention_heads=15, num_key_value_heads=5, tie_word_embeddings=True),
    "SmolLM2-1.7B": llama(vocab_size=49152, hidden_size=2048, intermediate_size=8192, num_hidden_layers=24,
                          num_attention_heads=32, num_key_value_heads=32, tie_word_embeddings=True),
    "Llama-2-7B": llama(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                        num_attention_heads=32, num_key_value_heads=32),
    "Llama-2-13B": llama(vocab_size=32000, hidden_size=5120, intermediate_size=13824, num_hidden_layers=40,
                         num_attention_heads=40, num_key_value_heads=40),
    "Llama-2-70B": llama(vocab_size=32000, hidden_size=8192, intermediate_size=28672, num_hidden_layers=80,
                         num_attention_heads=64, num_key_value_heads=8),
    "LLaMA-65B": llama(vocab_size=32000, hidden_size=8192, intermediate_size=22016, num_hidden_layers=80,
                       num_attention_heads=64, num_key_value_heads=64),
    "Llama-3-8B": llama(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                        num_attention_heads=32, num_key_value_heads=8),
    "Llama-3-70B": llama(vocab_size=128256, hidden_size=8192, intermediate_size=28672, num_hidden_layers=80,
                         num_attention_heads=64, num_key_value_heads=8),
    "Mistral-7B": mistral(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                          num_attention_heads=32, num_key_value_heads=8),
    "Qwen2.5-0.5B": qwen2(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                          num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True),
    "Qwen2.5-7B": qwen2(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                        num_attention_heads=28, num_key_value_heads=4, tie_word_embeddings=False),
    "GPT-2": gpt2(vocab_size=50257, n_embd=768, n_layer=12, n_head=12, n_positions=1024),
    "GPT-2-XL": gpt2(vocab_size=50257, n_embd=1600, n_layer=48, n_head=25, n_positions=1024),
    "GPT-3-175B": gpt2(vocab_size=50257, n_embd=12288, n_layer=96, n_head=96, n_positions=2048),
}

TINY = {
    "tiny-llama-gqa-bias": llama(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2, attention_bias=True,
                                 mlp_bias=True, tie_word_embeddings=False),
    "tiny-llama-headdim-tied": llama(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
                                     num_attention_heads=2, num_key_value_heads=1, head_dim=12,
                                     tie_word_embeddings=True),
    "tiny-mistral": mistral(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
                            num_attention_heads=4, num_key_value_heads=2),
    "tiny-qwen2": qwen2(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
                        num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True),
    "tiny-gpt2": gpt2(vocab_size=64, n_embd=16, n_layer=1, n_head=4, n_positions=32),
}

def build(model_type, kw):
    config = AutoConfig.for_model(model_type, **kw)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)

out = {"transformers": transformers.__version__, "torch": torch.__version__, "totals": {}, "inventories": {}}
for name, (mt, kw) in PRESETS.items():
    model = build(mt, kw)
    out["totals"][name] = sum(p.numel() for p in model.parameters())
    del model
for name, (mt, kw) in TINY.items():
    model = build(mt, kw)
    out["inventories"][name] = {"total": sum(p.numel() for p in model.parameters()),
                                "parameters": [[n, list(p.shape)] for n, p in model.named_parameters()]}
print(json.dumps(out, indent=1))
