#!/usr/bin/env python3
"""Adapter-method golden fixtures on the tiny family models of family_fixtures.py, so the Swift tests check
Frugal's adapters against PEFT:
  - DoRA (use_dora=True): the adapter folder as PEFT saves it (lora_A, lora_B, lora_magnitude_vector), the
    adapted logits, one training step's loss and the gradient of every adapter tensor (magnitudes included),
    and the merged weights (merge_and_unload). families/<family>/dora/ for llama (no biases) and qwen2
    (q/k/v biases).
  - LoRA on the embeddings and the head (target_modules q_proj, v_proj, embed_tokens, lm_head: PEFT's
    lora_embedding_A/B and lm_head.lora_A/B): adapter folder, adapted logits, loss and gradients.
    families/<family>/embed_head/ for llama (tied head) and mistral (untied head).

Pinned: torch==2.15.0, transformers==5.23.0, peft==0.21.2, safetensors==0.8.0.
Run after family_fixtures.py:  python reference/adapter_fixtures.py
"""
import json, os, shutil
import torch
import transformers, peft
from safetensors.torch import save_file, load_file
from transformers import AutoModelForCausalLM
from peft import LoraConfig, get_peft_model

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalModelsTests", "Fixtures",
                    "families")


def r7(xs):
    return [float(f"{x:.7g}") for x in xs]


def portable_config(adapter_dir, family):
    """PEFT records the base model's path; write the fixture's folder name instead of this machine's path."""
    path = os.path.join(adapter_dir, "adapter_config.json")
    cfg = json.load(open(path))
    cfg["base_model_name_or_path"] = f"Tests/FrugalModelsTests/Fixtures/families/{family}"
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)


def step(pm, ids, out):
    """One training step on the golden batch: loss and the gradients of every adapter tensor, saved under
    the adapter file's names."""
    labels = ids.clone()
    labels[:, :3] = -100
    pm.train()
    pm.zero_grad()
    res = pm(input_ids=ids, labels=labels)
    res.loss.backward()
    saved = load_file(os.path.join(out, "adapter", "adapter_model.safetensors"))
    grads = {}
    for name, p in pm.named_parameters():
        # Only the adapter's tensors: with a tied head targeted, PEFT 0.21.2 leaves the shared base
        # embedding requiring grad too; it is not part of the adapter file.
        if p.grad is None or "lora_" not in name:
            continue
        key = name.replace("lora_magnitude_vector.default.weight", "lora_magnitude_vector").replace(".default.", ".")
        key = key.replace("lora_embedding_A.default", "lora_embedding_A").replace("lora_embedding_B.default", "lora_embedding_B")
        grads[key] = p.grad.detach().clone().contiguous()
    assert set(saved) == set(grads), sorted(set(saved) ^ set(grads))
    assert all(float(t.abs().sum()) > 0 for t in grads.values())
    save_file(grads, os.path.join(out, "grads.safetensors"))
    return labels, float(res.loss.detach()), sorted(saved)


def embed_head(family, seed):
    folder = os.path.join(ROOT, family)
    golden = json.load(open(os.path.join(folder, "golden.json")))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    ids = torch.tensor(golden["input_ids"])
    cfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj", "embed_tokens", "lm_head"],
                     task_type="CAUSAL_LM")
    pm = get_peft_model(model, cfg)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in pm.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
    out = os.path.join(folder, "embed_head")
    shutil.rmtree(out, ignore_errors=True)
    # PEFT's save_embedding_layers="auto" would also save the (unchanged) base embedding and head:
    # the adapter alone is what Frugal writes and reads.
    pm.save_pretrained(os.path.join(out, "adapter"), save_embedding_layers=False)
    portable_config(os.path.join(out, "adapter"), family)
    readme = os.path.join(out, "adapter", "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    pm.eval()
    with torch.no_grad():
        adapted = pm(ids).logits
    labels, loss, tensors = step(pm, ids, out)
    json.dump({"generated_by": "reference/adapter_fixtures.py",
               "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                            "peft": peft.__version__},
               "loss": loss, "labels": labels.tolist(), "adapted_logits": r7(adapted.flatten().tolist()),
               "tensors": tensors},
              open(os.path.join(out, "golden.json"), "w"), separators=(",", ":"))
    print(family, "embed/head loss", loss, "tensors", len(tensors))


def run(family, seed):
    folder = os.path.join(ROOT, family)
    golden = json.load(open(os.path.join(folder, "golden.json")))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    ids = torch.tensor(golden["input_ids"])
    cfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear", use_dora=True,
                     task_type="CAUSAL_LM")
    pm = get_peft_model(model, cfg)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in pm.named_parameters():
            if "lora_A" in name or "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif "lora_magnitude_vector" in name:
                p.mul_(1 + 0.2 * torch.randn(p.shape, generator=g))   # magnitudes away from ||W||
    out = os.path.join(folder, "dora")
    shutil.rmtree(out, ignore_errors=True)
    pm.save_pretrained(os.path.join(out, "adapter"))
    portable_config(os.path.join(out, "adapter"), family)
    readme = os.path.join(out, "adapter", "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    labels, loss, tensors = step(pm, ids, out)
    pm.eval()
    with torch.no_grad():
        adapted = pm(ids).logits
        merged = pm.merge_and_unload()
        merged_logits = merged(ids).logits
    q = merged.state_dict()["model.layers.0.self_attn.q_proj.weight"]
    json.dump({"generated_by": "reference/adapter_fixtures.py",
               "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                            "peft": peft.__version__},
               "loss": loss, "labels": labels.tolist(),
               "adapted_logits": r7(adapted.flatten().tolist()),
               "merged_logits": r7(merged_logits.flatten().tolist()),
               "merged_q_proj_layer0": r7(q.flatten().tolist()),
               "tensors": tensors},
              open(os.path.join(out, "golden.json"), "w"), separators=(",", ":"))
    print(family, "loss", loss, "tensors", len(tensors))


run("llama", 11)
run("qwen2", 12)
embed_head("llama", 13)
embed_head("mistral", 14)
