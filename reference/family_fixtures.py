#!/usr/bin/env python3
"""Golden fixtures for every model family Frugal implements (llama, mistral, qwen2, qwen3, gemma3): a TINY
randomly initialised float32 model per family, its HF folder, the same weights as a GGUF file laid out the way
llama.cpp's convert_hf_to_gguf.py lays them out, and golden logits / greedy tokens / one LoRA training step
from transformers + PEFT, so the Swift tests need no Python.

Pinned: torch==2.15.0, transformers==5.23.0, peft==0.21.2, safetensors==0.8.0, gguf==0.19.0.
Run: python reference/family_fixtures.py   (deterministic; writes Tests/FrugalModelsTests/Fixtures/families/)

Per family, Tests/FrugalModelsTests/Fixtures/families/<family>/ holds
  config.json, model.safetensors, generation_config.json   save_pretrained of the base model
  model.gguf              F32 tensors; metadata keys, tensor names and transforms as convert_hf_to_gguf.py
                          (ggml-org/llama.cpp, 2026) writes them for the architecture -- see
                          reference/family_notes.md. Only the tokenizer section is synthetic: "gpt2" model,
                          tokens "t0".."t127", no merges (GGUFWriter drops an empty array), bos/eos ids.
  golden.json             input_ids [2,12], logits [2,12,V] flattened, greedy continuation, LoRA step (below)
  adapter/                PEFT save_pretrained (adapter_config.json + adapter_model.safetensors), random A and B
  lora_grads.safetensors  d loss / d every LoRA tensor, under the adapter's own tensor names

The GGUF writer below re-implements (it does not import or copy) the parts of convert_hf_to_gguf.py that
apply to these five architectures: TextModel.set_gguf_parameters, LlamaModel (vocab_size, rope dimension
count, Q/K permute, llama3 rope_freqs tensor), Qwen2Model/Qwen3Model (nothing extra), Gemma3Model (its
set_gguf_parameters overrides, norm weights + 1). Tensor names come from gguf-py's TensorNameMap, as
convert's map_tensor_name does.
"""
import json, math, os, shutil
import numpy as np
import torch
import transformers, peft
import gguf
from safetensors.torch import save_file, load_file
from transformers import (AutoConfig, LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM, Gemma3TextConfig,
                          Gemma3ForCausalLM)
from peft import LoraConfig, get_peft_model
from peft.tuners.lora import LoraLayer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalModelsTests", "Fixtures",
                    "families")
V = 128
COMMON = dict(vocab_size=V, hidden_size=32, num_attention_heads=4, num_key_value_heads=2, intermediate_size=64,
              rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2, pad_token_id=0)


def families():
    """(name, model class, config, gguf arch, Q/K permuted by convert, norm shift) for every family."""
    llama = LlamaConfig(**COMMON, num_hidden_layers=2, head_dim=8, max_position_embeddings=128,
                        attention_bias=False, tie_word_embeddings=True,
                        # Llama 3.2's rope scaling, with the pre-training length shrunk from 8192 to 16 so that at
                        # head_dim 8 it changes frequencies (one smoothed pair, three divided by 8). The top-level
                        # copy is what convert_hf_to_gguf.py's LlamaModel.generate_extra_tensors reads (default
                        # 8192); transformers gives it priority too (standardize_rope_params), so both agree.
                        original_max_position_embeddings=16,
                        rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                         "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                         "original_max_position_embeddings": 16})
    mistral = MistralConfig(**COMMON, num_hidden_layers=2, head_dim=8, max_position_embeddings=128,
                            sliding_window=None, tie_word_embeddings=False,
                            rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    qwen2 = Qwen2Config(**COMMON, num_hidden_layers=2, max_position_embeddings=128, tie_word_embeddings=True,
                        use_sliding_window=False,
                        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    qwen3 = Qwen3Config(**COMMON, num_hidden_layers=2, head_dim=8, max_position_embeddings=128,
                        attention_bias=False, tie_word_embeddings=True, use_sliding_window=False,
                        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    g = dict(COMMON, intermediate_size=32, bos_token_id=2, eos_token_id=1)  # Gemma's ids; smaller MLP, 3 layers: ~400 KB
    gemma3 = Gemma3TextConfig(**g, num_hidden_layers=3, head_dim=16, query_pre_attn_scalar=24,
                              max_position_embeddings=128, hidden_activation="gelu_pytorch_tanh",
                              tie_word_embeddings=True, sliding_window=4,
                              layer_types=["sliding_attention", "full_attention", "sliding_attention"],
                              rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
                                               "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
                              final_logit_softcapping=None, attn_logit_softcapping=None)
    A = gguf.MODEL_ARCH
    return [("llama", LlamaForCausalLM, llama, A.LLAMA, True, 0.0),
            ("mistral", MistralForCausalLM, mistral, A.LLAMA, True, 0.0),
            ("qwen2", Qwen2ForCausalLM, qwen2, A.QWEN2, False, 0.0),
            ("qwen3", Qwen3ForCausalLM, qwen3, A.QWEN3, False, 0.0),
            ("gemma3", Gemma3ForCausalLM, gemma3, A.GEMMA3, False, 1.0)]


def r7(x):
    """Round to 7 significant digits (float32 carries ~7.2)."""
    return [float(f"{v:.7g}") for v in x]


def perturb(model, gemma, seed):
    """Every parameter matters: weights N(0, 0.2), biases N(0, 0.2), norm weights away from their identity value
    (Llama-style 1 + N(0, 0.3); Gemma stores w of (1 + w), so N(0, 0.3))."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if "norm" in name:
                p.copy_(noise * 0.3 if gemma else 1.0 + noise * 0.3)
            else:
                p.copy_(noise * 0.2)


# ---- GGUF, the way convert_hf_to_gguf.py writes it ------------------------------------------------------------

def permute(w, n_head, n_head_kv):
    """convert_hf_to_gguf.py LlamaModel.permute: HF's rotate-half row order -> GGML's interleaved pairs."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def llama3_rope_factors(hp, rp):
    """convert_hf_to_gguf.py LlamaModel.generate_extra_tensors (rope_type llama3): one factor per frequency pair;
    llama.cpp divides each frequency by it."""
    base = rp.get("rope_theta", 10000.0)
    dim = hp.get("head_dim") or hp["hidden_size"] // hp["num_attention_heads"]
    freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    factor, lo, hi = rp.get("factor", 8.0), rp.get("low_freq_factor", 1.0), rp.get("high_freq_factor", 4.0)
    old = hp.get("original_max_position_embeddings", 8192)  # top-level key, NOT rope_parameters'
    out = []
    for f in freqs:
        wavelen = 2 * math.pi / f
        if wavelen < old / hi:
            out.append(1)
        elif wavelen > old / lo:
            out.append(factor)
        else:
            smooth = (old / wavelen - lo) / (hi - lo)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return torch.tensor(out, dtype=torch.float32)


def write_gguf(folder, family, arch, permuted, norm_shift):
    hp = AutoConfig.from_pretrained(folder).to_dict()  # ModelBase.load_hparams
    w = gguf.GGUFWriter(os.path.join(folder, "model.gguf"), gguf.MODEL_ARCH_NAMES[arch])
    n_layer = hp["num_hidden_layers"]
    rope = hp.get("rope_parameters") or {}  # TextModel.__init__
    # ModelBase.prepare_metadata: general.*, then set_gguf_parameters, then quantization version.
    w.add_type(gguf.GGUFType.MODEL)
    w.add_name(f"frugal-tiny-{family}")
    # TextModel.set_gguf_parameters
    w.add_block_count(n_layer)
    w.add_context_length(hp["max_position_embeddings"])
    w.add_embedding_length(hp["hidden_size"])
    w.add_feed_forward_length(hp["intermediate_size"])
    w.add_head_count(hp["num_attention_heads"])
    w.add_head_count_kv(hp["num_key_value_heads"])
    rp = rope.get("full_attention", rope)
    assert rp.get("rope_type") in ("default", "llama3"), rp  # no scaling keys for these two
    if rp.get("rope_theta") is not None:
        w.add_rope_freq_base(rp["rope_theta"])
    if (swa_theta := rope.get("sliding_attention", {}).get("rope_theta")) is not None:
        w.add_rope_freq_base_swa(swa_theta)
    w.add_layer_norm_rms_eps(hp["rms_norm_eps"])
    if hp.get("head_dim") is not None:
        w.add_key_length(hp["head_dim"])
        w.add_value_length(hp["head_dim"])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    if arch == gguf.MODEL_ARCH.LLAMA:  # LlamaModel.set_gguf_parameters
        w.add_vocab_size(hp["vocab_size"])
        w.add_rope_dimension_count(hp.get("head_dim") or hp["hidden_size"] // hp["num_attention_heads"])
    if arch == gguf.MODEL_ARCH.GEMMA3:  # Gemma3Model.set_gguf_parameters (overwrites some keys, same values)
        w.add_context_length(hp.get("max_position_embeddings", 131072))
        w.add_head_count(hp.get("num_attention_heads", 8))
        w.add_layer_norm_rms_eps(hp.get("rms_norm_eps", 1e-6))
        w.add_key_length(hp.get("head_dim", 256))
        w.add_value_length(hp.get("head_dim", 256))
        w.add_rope_freq_base(rope.get("full_attention", rope).get("rope_theta", 1_000_000.0))
        assert hp.get("attn_logit_softcapping") is None
        if (cap := hp.get("final_logit_softcapping")):
            w.add_final_logit_softcapping(cap)
        if hp.get("sliding_window_pattern") != 1:
            w.add_sliding_window(hp["sliding_window"])
        w.add_head_count_kv(hp.get("num_key_value_heads", 4))
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    # Tokenizer (synthetic, minimal): what _set_vocab_gpt2 would write for a vocabulary "t0".."t127".
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list([f"t{i}" for i in range(hp["vocab_size"])])
    w.add_token_types([gguf.TokenType.NORMAL] * hp["vocab_size"])
    w.add_token_merges([])  # an empty array is dropped by GGUFWriter: the file has no merges key
    w.add_bos_token_id(hp["bos_token_id"])
    w.add_eos_token_id(hp["eos_token_id"])

    # ModelBase.prepare_tensors: generate_extra_tensors() first, then the checkpoint's tensors in file order.
    names = {}
    tmap = gguf.get_tensor_name_map(arch, n_layer)
    if arch == gguf.MODEL_ARCH.LLAMA and rp.get("rope_type", "").lower() == "llama3":
        fac = llama3_rope_factors(hp, rp)
        w.add_tensor(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.ROPE_FREQS] + ".weight", fac.numpy())
        names["(generated) rope_freqs"] = "rope_freqs.weight"
    sd = load_file(os.path.join(folder, "model.safetensors"))
    for name, t in sd.items():
        t = t.to(torch.float32)
        if permuted and name.endswith(("q_proj.weight", "q_proj.bias")):
            t = permute(t, hp["num_attention_heads"], hp["num_attention_heads"])
        if permuted and name.endswith(("k_proj.weight", "k_proj.bias")):
            t = permute(t, hp["num_attention_heads"], hp["num_key_value_heads"])
        if norm_shift and name.endswith("norm.weight"):
            t = t + norm_shift
        new = tmap.get_name(name, try_suffixes=(".weight", ".bias"))
        assert new is not None, name
        w.add_tensor(new, t.numpy())
        names[name] = new
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return names


# ---- golden values ------------------------------------------------------------------------------------------

def run(family, cls, cfg, arch, permuted, norm_shift, seed):
    out = os.path.join(ROOT, family)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    torch.manual_seed(seed)
    cfg._attn_implementation = "eager"
    model = cls(cfg).eval()
    perturb(model, family == "gemma3", seed + 1)
    model.generation_config.eos_token_id = None  # no stopping: greedy runs all 10 steps on argmax alone
    model.generation_config.pad_token_id = cfg.pad_token_id
    model.save_pretrained(out)
    names = write_gguf(out, family, arch, permuted, norm_shift)

    g = torch.Generator().manual_seed(seed + 2)
    ids = torch.randint(0, V, (2, 12), generator=g)
    with torch.no_grad():
        logits = model(ids).logits  # [2, 12, V]
        prompt = ids[:1, :5]
        # attention_mask given: generate would otherwise mask prompt tokens equal to pad_token_id (0)
        gen = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=10,
                             do_sample=False)[0, 5:].tolist()
        # Cross-check generate (KV cache) against argmax of full forwards.
        seq = prompt
        for _ in range(10):
            nxt = model(seq).logits[0, -1].argmax()
            seq = torch.cat([seq, nxt.view(1, 1)], dim=1)
        assert seq[0, 5:].tolist() == gen, (family, seq[0, 5:].tolist(), gen)
    if family == "llama":  # the GGUF's rope_freqs reproduce transformers' llama3 frequencies
        hp = AutoConfig.from_pretrained(out).to_dict()
        base = 1.0 / (500000.0 ** (torch.arange(0, 8, 2, dtype=torch.float32) / 8))
        hf = model.model.rotary_emb.inv_freq
        assert torch.allclose(base / llama3_rope_factors(hp, hp["rope_parameters"]), hf, rtol=1e-6), hf

    # LoRA: every linear layer but the head, random A and B, one training step.
    lcfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    pm = get_peft_model(model, lcfg)
    gl = torch.Generator().manual_seed(seed + 3)
    with torch.no_grad():
        for name, p in pm.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=gl) * 0.1)
    wrapped = [n[len("base_model.model."):] for n, m in pm.named_modules() if isinstance(m, LoraLayer)]
    targets = sorted({n.rsplit(".", 1)[-1] for n in wrapped})
    pm.save_pretrained(os.path.join(out, "adapter"))
    readme = os.path.join(out, "adapter", "README.md")
    if os.path.exists(readme):
        os.remove(readme)  # the model card is not part of the format
    labels = ids.clone()
    labels[:, :3] = -100
    pm.train()
    pm.zero_grad()
    res = pm(input_ids=ids, labels=labels)
    res.loss.backward()
    grads = {}
    for name, p in pm.named_parameters():
        if "lora_" in name:
            grads[name.replace(".default.", ".")] = p.grad.detach().clone().contiguous()
    saved = load_file(os.path.join(out, "adapter", "adapter_model.safetensors"))
    assert set(saved) == set(grads), (sorted(set(saved) ^ set(grads)))
    assert all(float(t.abs().sum()) > 0 for t in grads.values())
    save_file(grads, os.path.join(out, "lora_grads.safetensors"))
    pm.eval()
    with torch.no_grad():
        adapted = pm(ids).logits

    golden = {
        "generated_by": "reference/family_fixtures.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "gguf": "0.19.0"},
        "family": family, "model_class": cls.__name__, "gguf_arch": gguf.MODEL_ARCH_NAMES[arch],
        "gguf": {"file": "model.gguf", "qk_permuted": permuted, "norm_weight_shift": norm_shift,
                 "tensor_names": names},
        "input_ids": ids.tolist(),
        "logits_shape": list(logits.shape), "logits": r7(logits.flatten().tolist()),
        "greedy": {"prompt": prompt[0].tolist(), "max_new_tokens": 10, "tokens": gen},
        "lora": {"r": 4, "lora_alpha": 8, "scaling": 2.0, "lora_dropout": 0.0, "target_modules": targets,
                 "wrapped_modules": wrapped, "adapter_dir": "adapter", "grads_file": "lora_grads.safetensors",
                 "labels": labels.tolist(), "loss": float(res.loss.detach()),
                 "loss_definition": "mean over supervised tokens of -log softmax(logits[:, t]) [labels[:, t+1]]",
                 "tensors": sorted(grads), "adapted_logits": r7(adapted.flatten().tolist())},
    }
    if family == "gemma3":
        golden["gguf"]["note"] = ("The GGUF cannot carry query_pre_attn_scalar (24 here) or layer_types: llama.cpp "
                                  "scales by 1/sqrt(key_length) and hard-codes every 6th layer (il % 6 == 5) as "
                                  "full attention, and the local rope base as 10000. Logits from these GGUF "
                                  "weights run llama.cpp's way differ from golden logits; compare tensors.")
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    size = sum(os.path.getsize(os.path.join(d, x)) for d, _, fs in os.walk(out) for x in fs)
    print(f"{family}: loss {float(res.loss.detach()):.6f}, greedy {gen}, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    torch.use_deterministic_algorithms(True)
    for i, fam in enumerate(families()):
        run(*fam, seed=100 * (i + 1))
    print("wrote", os.path.normpath(ROOT))
