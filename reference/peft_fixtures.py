#!/usr/bin/env python3
"""PEFT LoRA adapter fixtures: a tiny random Llama (HF directory) plus a LoRA adapter saved by PEFT,
and the logits of the adapted model, so Frugal's adapter files and LoRA forward can be checked
against PEFT byte for byte and value for value.

Pinned: torch==2.15.0, transformers==5.23.0, peft==0.21.2, safetensors==0.8.0.
Run: python reference/peft_fixtures.py   (deterministic; writes Tests/FrugalIOTests/Fixtures/peft/)
"""
import json, os
import torch
from transformers import LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, get_peft_model

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "FrugalIOTests", "Fixtures", "peft")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
cfg = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                  rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=True,
                  bos_token_id=1, eos_token_id=2)
base = LlamaForCausalLM(cfg).eval()
base.save_pretrained(os.path.join(out, "base"), safe_serialization=True)

lcfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj", "down_proj"],
                  task_type="CAUSAL_LM")
model = get_peft_model(base, lcfg)
# Deterministic, non-zero B so the adapter changes the output.
g = torch.Generator().manual_seed(1)
with torch.no_grad():
    for name, p in model.named_parameters():
        if "lora_" in name:
            p.copy_(torch.randn(p.shape, generator=g) * 0.1)
model.save_pretrained(os.path.join(out, "adapter"))
os.remove(os.path.join(out, "adapter", "README.md"))  # the model card is not part of the format

ids = [1, 5, 17, 33, 60, 2, 44, 9]
with torch.no_grad():
    adapted = model(torch.tensor([ids])).logits[0]
    with model.disable_adapter():
        plain = model(torch.tensor([ids])).logits[0]
    merged = model.merge_and_unload()
    after_merge = merged(torch.tensor([ids])).logits[0]
json.dump({"ids": ids, "adapted_logits": adapted.flatten().tolist(), "base_logits": plain.flatten().tolist(),
           "merged_logits": after_merge.flatten().tolist(), "vocab": cfg.vocab_size},
          open(os.path.join(out, "logits.json"), "w"))
print("wrote", out)

# Frugal → PEFT: an adapter Frugal trained and saved (Tests/FrugalIOTests/Fixtures/peft/frugal_adapter,
# written by PEFTInteropTests with FRUGAL_WRITE_FIXTURES=1) loaded by PEFT onto the transformers model.
from peft import PeftModel
frugal_dir = os.path.join(out, "frugal_adapter")
if os.path.isdir(frugal_dir):
    base2 = LlamaForCausalLM.from_pretrained(os.path.join(out, "base")).eval()
    peft2 = PeftModel.from_pretrained(base2, frugal_dir).eval()
    ids2 = [1, 9, 23, 47, 5, 80, 2, 61, 33]
    with torch.no_grad():
        lg = peft2(torch.tensor([ids2])).logits[0]
    json.dump({"ids": ids2, "logits": lg.flatten().tolist()}, open(os.path.join(out, "frugal_adapter_peft_logits.json"), "w"))
    print("PEFT loaded Frugal's adapter:", frugal_dir)
