#!/usr/bin/env python3
"""The Python stack's side of `make bench`: one Llama decoder layer (transformers' LlamaDecoderLayer,
the default model's shape: C 576, 9 query / 3 KV heads, MLP 1536) at batch 4 x 128 tokens,
forward + backward in float32 on the CPU, and torch's sgemm on 1024^2 / 2048^2.
Run by `make bench` when python3 can import torch and transformers; prints the same units as
FrugalBench. Pinned in reference/: torch 2.15.0, transformers 5.23.0."""
import time
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

torch.manual_seed(0)
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")

def best(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts), sorted(ts)[len(ts) // 2]

for n in (1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    t, _ = best(lambda: a @ b.T, 5)
    print(f"torch matmul {n}^2: {2 * n**3 / t / 1e9:.1f} GFLOP/s")

cfg = LlamaConfig(hidden_size=576, intermediate_size=1536, num_attention_heads=9, num_key_value_heads=3,
                  rope_theta=100000.0, rms_norm_eps=1e-5, max_position_embeddings=2048)
cfg._attn_implementation = "eager"
layer = LlamaDecoderLayer(cfg, layer_idx=0)
rope = LlamaRotaryEmbedding(cfg)
x = torch.randn(4, 128, 576, requires_grad=True)
pos = torch.arange(128).unsqueeze(0)
mask = torch.full((128, 128), float("-inf")).triu(1)[None, None]

def step():
    pe = rope(x, pos)
    out = layer(x, attention_mask=mask, position_embeddings=pe)
    out = out[0] if isinstance(out, tuple) else out
    out.sum().backward()
    x.grad = None
    layer.zero_grad(set_to_none=True)

t, med = best(step, 8)
print(f"torch Llama block forward+backward: {t*1e3:.1f} ms (best of 8; median {med*1e3:.1f} ms), {512/t:.0f} tokens/s")
