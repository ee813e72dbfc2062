#!/usr/bin/env python3
"""Golden fixtures for `frugal quantize` / BnbCheckpoint (Tests/FrugalIOTests/Fixtures/bnb/).

Pinned stack: torch 2.15 (CPU), transformers 5.23, bitsandbytes 0.50.2, safetensors 0.8.0,
tokenizers 0.23. Deterministic (torch.manual_seed). Writes:

  tiny_bf16/          a random LlamaForCausalLM (hidden 64, intermediate 64, 2 layers, 4 heads,
                      2 KV heads, vocab 128, untied), save_pretrained in bfloat16, plus a tiny
                      WordLevel tokenizer (tokenizer.json, tokenizer_config.json)
  tiny_bf16_nf4_dq/   that model loaded with BitsAndBytesConfig(load_in_4bit, nf4, double quant,
                      compute dtype bfloat16) on CPU and saved with save_pretrained
  tiny_f32/           a smaller float32 model (hidden 24, intermediate 40, 1 layer, 2 heads, 1 KV
                      head, vocab 64, tied embeddings): k_proj/v_proj hold 288 values, so their last
                      64-block is partial
  tiny_f32_fp4/       that model with load_in_4bit, fp4, no double quant, compute dtype float32
  tiny_f32_int8/      that model with load_in_8bit (LLM.int8: bnb rounds the weight to float16
                      first, then quantizes each row with its absmax)

Run:  python reference/bnb_checkpoint_fixtures.py            (from the repository root)
Dev check (not part of the tests; CI has no Python):
      python reference/bnb_checkpoint_fixtures.py --verify SWIFT_DIR PYTHON_DIR
loads both quantized directories with transformers + bitsandbytes and compares their state dicts
and logits on a fixed prompt.
      python reference/bnb_checkpoint_fixtures.py --verify-gguf GGUF_FILE SWIFT_DIR [nf4|fp4] [dq]
loads GGUF_FILE with transformers (dequantized to float32), writes it as an fp32 HF directory, has
transformers + bitsandbytes quantize that (compute dtype float32), and compares it with SWIFT_DIR
(written by `frugal quantize GGUF_FILE ...`): state dicts and logits.
"""
import json
import os
import shutil
import sys

import torch
from transformers import (AutoModelForCausalLM, BitsAndBytesConfig, LlamaConfig, LlamaForCausalLM,
                          PreTrainedTokenizerFast)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalIOTests", "Fixtures", "bnb")


def fresh(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def tiny_tokenizer(vocab_size):
    from tokenizers import Tokenizer, models, pre_tokenizers
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(3, vocab_size):
        vocab[f"w{i}"] = i
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def make_base(name, cfg, dtype, seed, tokenizer):
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():  # larger, more varied weights than the 0.02 init, so codes use the whole table
        for p in model.parameters():
            p.normal_(0, 0.5)
    model = model.to(dtype)
    path = fresh(name)
    model.save_pretrained(path)
    if tokenizer:
        tiny_tokenizer(cfg.vocab_size).save_pretrained(path)
    return path


def quantize(base, name, qc):
    model = AutoModelForCausalLM.from_pretrained(base, quantization_config=qc, device_map="cpu")
    path = fresh(name)
    model.save_pretrained(path)
    return path


def logits(path, ids):
    model = AutoModelForCausalLM.from_pretrained(path, device_map="cpu")
    ids = [i % model.config.vocab_size for i in ids]
    for m in model.modules():
        # bnb 0.50.2 repacks 4-bit weights for its AVX512-BF16 CPU kernel, which needs out % 32 == 0
        # and in % blocksize == 0; the partial-block fixture must take the generic path instead.
        if getattr(m, "support_avx512bf16_for_cpu", False) and any(
                s % 32 or m.in_features % m.weight.quant_state.blocksize for s in [m.out_features]):
            m.support_avx512bf16_for_cpu = False
            print("generic (non-AVX512-BF16) 4-bit CPU path for", type(m).__name__, m.out_features, "x", m.in_features)
    with torch.no_grad():
        return model, model(torch.tensor([ids])).logits.float()


def verify(swift_dir, python_dir):
    ids = [1, 5, 9, 17, 33, 65, 2, 100]
    ms, ls = logits(swift_dir, ids)
    mp, lp = logits(python_dir, ids)
    print("swift layer type:", type(ms.model.layers[0].self_attn.q_proj).__name__)
    ss, sp = ms.state_dict(), mp.state_dict()
    assert sorted(ss) == sorted(sp), "different state dict keys"
    for k in ss:
        a, b = ss[k], sp[k]
        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a.view(-1).view(torch.uint8) if a.dtype != torch.uint8 else a, b.view(-1).view(torch.uint8) if b.dtype != torch.uint8 else b), k
    diff = (ls - lp).abs().max().item()
    print(f"state dicts identical ({len(ss)} tensors); logits shape {tuple(ls.shape)}; max |swift - python| = {diff}")
    assert diff == 0.0
    print("OK")


def verify_gguf(gguf, swift_dir, quant_type="nf4", dq=False):
    import tempfile
    from safetensors.torch import save_model
    fp = AutoModelForCausalLM.from_pretrained(os.path.dirname(os.path.abspath(gguf)), gguf_file=os.path.basename(gguf),
                                              dtype=torch.float32)
    tmp = tempfile.mkdtemp(prefix="frugal-gguf-fp32-")
    # transformers refuses save_pretrained for GGUF-loaded models; write weights and config directly.
    save_model(fp, os.path.join(tmp, "model.safetensors"), metadata={"format": "pt"})
    cfg = fp.config.to_dict()
    cfg.pop("quantization_config", None)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    py_dir = tempfile.mkdtemp(prefix="frugal-gguf-bnb-")
    model = AutoModelForCausalLM.from_pretrained(tmp, device_map="cpu", quantization_config=BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type=quant_type, bnb_4bit_use_double_quant=dq,
        bnb_4bit_compute_dtype=torch.float32))
    model.save_pretrained(py_dir)
    verify(swift_dir, py_dir)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--verify":
        verify(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "--verify-gguf":
        verify_gguf(sys.argv[2], sys.argv[3], *(sys.argv[4:5] or ["nf4"]), dq=sys.argv[5:6] == ["dq"])
        return
    os.makedirs(OUT, exist_ok=True)
    big = LlamaConfig(hidden_size=64, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=128, max_position_embeddings=64, tie_word_embeddings=False)
    base = make_base("tiny_bf16", big, torch.bfloat16, 0, tokenizer=True)
    quantize(base, "tiny_bf16_nf4_dq", BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16))

    small = LlamaConfig(hidden_size=24, intermediate_size=40, num_hidden_layers=1, num_attention_heads=2,
                        num_key_value_heads=1, vocab_size=64, max_position_embeddings=32, tie_word_embeddings=True)
    base32 = make_base("tiny_f32", small, torch.float32, 1, tokenizer=False)
    quantize(base32, "tiny_f32_fp4", BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="fp4", bnb_4bit_use_double_quant=False,
        bnb_4bit_compute_dtype=torch.float32))
    quantize(base32, "tiny_f32_int8", BitsAndBytesConfig(load_in_8bit=True))
    total = 0
    for root, _, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
