#!/usr/bin/env python3
"""io_fixtures.py — golden files for FrugalIO's tests (Tests/FrugalIOTests/Fixtures/).

Pinned stack: gguf 0.19.0, safetensors 0.8.0, torch 2.15 (CPU), transformers 5.23, numpy.
Deterministic (fixed seeds). Writes, all well under 1 MB:
  tiny.gguf               a 1-layer Llama (hidden 32, 4 heads, 2 KV heads, vocab 16) written by
                          gguf.GGUFWriter: tensors in F32/F16/BF16/Q8_0/Q4_0/Q4_1/Q5_0/Q5_1
                          (quantized by gguf.quants.quantize) and Q4_K/Q5_K/Q6_K (random block bytes
                          with finite fp16 scales: gguf-py can only dequantize K-quants), every
                          metadata value type incl. nested arrays, tokenizer arrays, alignment 64.
  tiny_gguf.json          expected values: metadata, every tensor dequantized by
                          gguf.quants.dequantize, and q/k in HF layout via transformers'
                          LlamaTensorProcessor (the reverse permutation its GGUF loader applies).
  tensors.safetensors     several dtypes written by safetensors.torch.save_file (metadata format=pt)
  tensors_safetensors.json  dtype, shape, raw bytes (hex) and float32 values per tensor.
  tiny_hf/                a tiny LlamaForCausalLM saved by transformers save_pretrained in 3 shards
                          (+ index, config.json) and a tiny byte-level BPE tokenizer.json.
  tiny_hf.json            config fields and the float32 values of every tensor.
  default_model.json      from the real default model (~/.cache/frugal/models/
                          SmolLM2-135M-Instruct.Q4_1.gguf, read by gguf.GGUFReader): tensor count,
                          a few dequantized values (q/k un-permuted as transformers does), and sums.
Run: reference/.venv/bin/python reference/io_fixtures.py
"""
import json
import os
import shutil
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T, GGUFValueType as V
from gguf.quants import quantize, dequantize

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "FrugalIOTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)


def fl(a):
    """float32 array -> list of Python floats (exact: every f32 is a double)."""
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def llama_unpermute(w, name, n_head, n_kv):
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor
    p = LlamaTensorProcessor(config={"num_attention_heads": n_head, "num_key_value_heads": n_kv})
    return p.process(w, name).weights


# ---------------------------------------------------------------- tiny.gguf
def tiny_gguf():
    rng = np.random.default_rng(1234)
    C, H, K, F, V_, L = 32, 4, 2, 64, 16, 1
    D = C // H
    path = os.path.join(OUT, "tiny.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_custom_alignment(64)
    w.add_context_length(128)
    w.add_embedding_length(C)
    w.add_block_count(L)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_head_count_kv(K)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_dimension_count(D)
    w.add_file_type(7)
    # Hyperparameter in another integer width: vocab size as u64.
    w.add_uint64("llama.vocab_size", V_)
    # Every value type.
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62))
    w.add_float32("test.f32", 0.1)
    w.add_float64("test.f64", 0.1)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo ✓")
    w.add_key_value("test.array_u8", [1, 2, 255], V.ARRAY, sub_type=V.UINT8)
    w.add_key_value("test.array_i64", [-1, 2**40], V.ARRAY, sub_type=V.INT64)
    w.add_key_value("test.array_f64", [0.5, -2.25], V.ARRAY, sub_type=V.FLOAT64)
    w.add_array("test.array_bool", [True, False, True])
    w.add_array("test.nested", [[1, 2], [3], [4, 5, 6]])
    # Tokenizer.
    tokens = ["<unk>", "<s>", "</s>"] + [chr(ord("a") + i) for i in range(10)] + ["Ġa", "ab", "Ġ"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    w.add_token_list(tokens)
    w.add_token_types([2, 3, 3] + [1] * 13)
    w.add_token_merges(["Ġ a", "a b"])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_add_bos_token(False)
    w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")

    expected = {}
    hf_expected = {}

    def add(name, shape, qtype, data=None, raw=None):
        if raw is None:
            src = data.astype(np.float32)
            if qtype == T.F32:
                q = src
                w.add_tensor(name, q)
            elif qtype == T.F16:
                q = src.astype(np.float16)
                w.add_tensor(name, q)
            else:
                q = quantize(src, qtype)
                w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=qtype)
            rawq = np.ascontiguousarray(q).view(np.uint8)
        else:
            rawq = raw
            w.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
        if qtype in (T.F32,):
            deq = rawq.view(np.float32).reshape(shape)
        elif qtype == T.F16:
            deq = rawq.view(np.float16).astype(np.float32).reshape(shape)
        else:
            deq = dequantize(rawq.reshape(shape[0], -1), qtype).reshape(shape)
        expected[name] = {"type": qtype.name, "shape": list(shape), "values": fl(deq)}
        return deq

    def kblock(qtype, nblocks):
        size = gguf.GGML_QUANT_SIZES[qtype][1]
        b = rng.integers(0, 256, size=(nblocks, size), dtype=np.uint8)
        def scale(lo, hi):
            return np.frombuffer(np.float16(rng.uniform(lo, hi)).tobytes(), dtype=np.uint8)
        for i in range(nblocks):
            if qtype in (T.Q4_K, T.Q5_K):
                b[i, 0:2] = scale(0.001, 0.05)   # d
                b[i, 2:4] = scale(0.001, 0.05)   # dmin
            else:  # Q6_K: d is last
                b[i, size - 2:size] = scale(-0.05, 0.05)
        return b

    g = lambda *s: rng.standard_normal(s).astype(np.float32) * 0.5
    add("token_embd.weight", (V_, C), T.F16, g(V_, C))
    add("blk.0.attn_norm.weight", (C,), T.F32, 1 + 0.1 * g(C))
    q = add("blk.0.attn_q.weight", (H * D, C), T.Q8_0, g(H * D, C))
    k = add("blk.0.attn_k.weight", (K * D, C), T.Q8_0, g(K * D, C))
    add("blk.0.attn_v.weight", (K * D, C), T.F32, g(K * D, C))
    add("blk.0.attn_output.weight", (C, H * D), T.BF16, g(C, H * D))
    add("blk.0.ffn_norm.weight", (C,), T.F32, 1 + 0.1 * g(C))
    add("blk.0.ffn_gate.weight", (F, C), T.Q4_0, g(F, C))
    add("blk.0.ffn_up.weight", (F, C), T.Q4_1, g(F, C))
    add("blk.0.ffn_down.weight", (C, F), T.Q5_0, g(C, F))
    add("output_norm.weight", (C,), T.F32, 1 + 0.1 * g(C))
    add("test.q5_1", (3, 64), T.Q5_1, g(3, 64))
    add("test.f32_3d", (2, 3, 4), T.F32, g(2, 3, 4))
    add("test.q4_k", (2, 512), T.Q4_K, raw=kblock(T.Q4_K, 4).reshape(2, -1))
    add("test.q5_k", (2, 256), T.Q5_K, raw=kblock(T.Q5_K, 2).reshape(2, -1))
    add("test.q6_k", (3, 256), T.Q6_K, raw=kblock(T.Q6_K, 3).reshape(3, -1))

    hf_expected["model.layers.0.self_attn.q_proj.weight"] = fl(llama_unpermute(q, "blk.0.attn_q.weight", H, K))
    hf_expected["model.layers.0.self_attn.k_proj.weight"] = fl(llama_unpermute(k, "blk.0.attn_k.weight", H, K))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    meta = {
        "tokens": tokens, "token_types": [2, 3, 3] + [1] * 13, "merges": ["Ġ a", "a b"],
        "config": {"hidden": C, "heads": H, "kv_heads": K, "ff": F, "vocab": V_, "layers": L,
                   "context": 128, "rope_theta": 10000.0, "eps": 1e-6},
    }
    with open(os.path.join(OUT, "tiny_gguf.json"), "w") as f:
        json.dump({"tensors": expected, "hf": hf_expected, "meta": meta}, f)
    print("tiny.gguf", os.path.getsize(path), "bytes")


# ---------------------------------------------------------------- safetensors
def safetensors_fixture():
    import torch
    from safetensors.torch import save_file
    g = torch.Generator().manual_seed(7)
    base = torch.randn(2, 3, generator=g)
    tensors = {
        "f64": base.double(),
        "f32": base.clone(),
        "f16": base.half(),
        "bf16": base.bfloat16(),
        "f8_e4m3": (base * 4).to(torch.float8_e4m3fn),
        "f8_e5m2": (base * 4).to(torch.float8_e5m2),
        "i64": torch.tensor([-3, 2**40, 7], dtype=torch.int64),
        "i32": torch.tensor([[-1, 2], [3, -4]], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 17, 3], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "scalar": torch.tensor(1.5, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "z.layers.0.weight": torch.randn(4, 8, generator=g),
    }
    path = os.path.join(OUT, "tensors.safetensors")
    save_file(tensors, path, metadata={"format": "pt"})
    exp = {}
    for n, t in tensors.items():
        e = {"dtype": str(t.dtype), "shape": list(t.shape),
             "hex": t.contiguous().view(-1).view(torch.uint8).numpy().tobytes().hex() if t.numel() else ""}
        if t.is_floating_point():
            e["values"] = [float(x) for x in t.float().reshape(-1).tolist()]
        exp[n] = e
    with open(os.path.join(OUT, "tensors_safetensors.json"), "w") as f:
        json.dump(exp, f)
    print("tensors.safetensors", os.path.getsize(path), "bytes")


# ---------------------------------------------------------------- tiny HF directory
def tiny_hf():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=16, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                      rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
                      rope_theta=10000.0)
    model = LlamaForCausalLM(cfg).eval()
    d = os.path.join(OUT, "tiny_hf")
    shutil.rmtree(d, ignore_errors=True)
    model.save_pretrained(d, max_shard_size="16KB", safe_serialization=True)
    for extra in ("generation_config.json",):
        p = os.path.join(d, extra)
        if os.path.exists(p):
            os.remove(p)
    # A tiny byte-level BPE tokenizer, written by the tokenizers library.
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 3, "b": 4, "Ġ": 5, "Ġa": 6, "ab": 7}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[("Ġ", "a"), ("a", "b")], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.save(os.path.join(d, "tokenizer.json"))
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "model_max_length": 128}, f, indent=2)
    sd = {k: v.float().reshape(-1).tolist() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    shapes = {k: list(v.shape) for k, v in model.state_dict().items() if k != "lm_head.weight"}
    with open(os.path.join(OUT, "tiny_hf.json"), "w") as f:
        json.dump({"values": sd, "shapes": shapes, "files": sorted(os.listdir(d))}, f)
    print("tiny_hf:", sorted(os.listdir(d)))


# ---------------------------------------------------------------- the real default model
def default_model():
    home = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
    path = os.path.join(home, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run scripts/setup first")
    r = gguf.GGUFReader(path)
    t = {x.name: x for x in r.tensors}

    def deq(name):
        x = t[name]
        shape = [int(s) for s in reversed(x.shape.tolist())]   # row-major
        return dequantize(x.data, x.tensor_type).reshape(shape).astype(np.float32)

    out = {"tensor_count": len(r.tensors), "samples": {}, "sums": {}}
    q = llama_unpermute(deq("blk.0.attn_q.weight"), "blk.0.attn_q.weight", 9, 3)
    k = llama_unpermute(deq("blk.0.attn_k.weight"), "blk.0.attn_k.weight", 9, 3)
    emb = deq("token_embd.weight")
    out["samples"]["model.layers.0.self_attn.q_proj.weight"] = {"rows": [0, 1, 32, 100], "values": [fl(q[i, :8]) for i in (0, 1, 32, 100)]}
    out["samples"]["model.layers.0.self_attn.k_proj.weight"] = {"rows": [0, 33, 191], "values": [fl(k[i, :8]) for i in (0, 33, 191)]}
    out["samples"]["model.embed_tokens.weight"] = {"rows": [0, 1, 49151], "values": [fl(emb[i, :8]) for i in (0, 1, 49151)]}
    down = deq("blk.29.ffn_down.weight")
    out["samples"]["model.layers.29.mlp.down_proj.weight"] = {"rows": [0, 575], "values": [fl(down[i, :8]) for i in (0, 575)]}
    nrm = deq("output_norm.weight")
    out["samples"]["model.norm.weight"] = {"rows": [0], "values": [fl(nrm[:8])]}
    for name, a in (("model.layers.0.self_attn.q_proj.weight", q), ("model.embed_tokens.weight", emb),
                    ("model.layers.29.mlp.down_proj.weight", down)):
        out["sums"][name] = {"sum": float(a.astype(np.float64).sum()), "abs": float(np.abs(a.astype(np.float64)).sum())}
    with open(os.path.join(OUT, "default_model.json"), "w") as f:
        json.dump(out, f)
    print("default_model.json written")


if __name__ == "__main__":
    tiny_gguf()
    safetensors_fixture()
    tiny_hf()
    default_model()
