"""lora_peft.py — PEFT's LoRA numbers and names that Tests/FrugalTrainTests/PEFTParityTests.swift embeds.

Pinned stack: peft 0.21.2, transformers 5.23, torch 2.15 (reference/.venv, see reference/requirements.txt). Deterministic:
every tensor value comes from the closed-form v(i, s) = ((i·37 mod 101) − 50)/100 · s (exact in
float32, so Swift rebuilds the same inputs), the tiny Llama is built from a fixed seed only to get
its module names and shapes, and PEFT's init is inspected only through its bound.

Prints one JSON object:
  "linear":  a 7→5 Linear with bias, LoRA r=3, alpha=6: the forward y [2, 5] for x [2, 7], the same
             with use_rslora, and the merged weight [5, 7] (merge(safe_merge=True));
  "init":    max|A|·√in over PEFT's default init of a 576-input layer (≤ 1: U(−1/√in, 1/√in)), and
             whether B is all zeros;
  "llama":   for a tiny Llama (hidden 48, intermediate 96, 2 layers, 6 heads, 2 KV heads, vocab 256,
             untied): get_peft_model_state_dict names and shapes with target_modules="all-linear" and
             with the default targets, and the trainable parameter counts.
Run: reference/.venv/bin/python reference/lora_peft.py > /tmp/lora_peft.json
"""
import json
import math
import torch
import peft
import transformers
from peft import LoraConfig, get_peft_model, get_peft_model_state_dict

assert peft.__version__.startswith("0.21"), peft.__version__
assert transformers.__version__.startswith("5.23"), transformers.__version__


def v(n, s, start=0):
    return torch.tensor([((i * 37 % 101) - 50) / 100 * s for i in range(start, start + n)], dtype=torch.float32)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(7, 5, bias=True)

    def forward(self, x):
        return self.proj(x)


def lora_linear(rslora):
    m = Tiny()
    with torch.no_grad():
        m.proj.weight.copy_(v(35, 0.5).reshape(5, 7))
        m.proj.bias.copy_(v(5, 0.3, start=100))
    pm = get_peft_model(m, LoraConfig(r=3, lora_alpha=6, target_modules=["proj"], use_rslora=rslora))
    layer = pm.base_model.model.proj
    with torch.no_grad():
        layer.lora_A["default"].weight.copy_(v(21, 0.4, start=200).reshape(3, 7))
        layer.lora_B["default"].weight.copy_(v(15, 0.2, start=300).reshape(5, 3))
    x = v(14, 1.0, start=400).reshape(2, 7)
    pm.eval()
    with torch.no_grad():
        y = pm(x)
    return pm, layer, x, y


pm, layer, x, y = lora_linear(False)
_, layer_rs, _, y_rs = lora_linear(True)
layer.merge(safe_merge=True)
merged = layer.base_layer.weight.detach()

init_layer = torch.nn.Linear(576, 64)
init_model = get_peft_model(torch.nn.Sequential(init_layer), LoraConfig(r=8, lora_alpha=8, target_modules=["0"]))
a = init_model.base_model.model[0].lora_A["default"].weight
b = init_model.base_model.model[0].lora_B["default"].weight

def llama_names(targets):
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(vocab_size=256, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                                   num_attention_heads=6, num_key_value_heads=2, tie_word_embeddings=False)
    model = transformers.LlamaForCausalLM(cfg)
    kw = {"r": 4, "lora_alpha": 8}
    if targets is not None:
        kw["target_modules"] = targets
    pm = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **kw))
    sd = get_peft_model_state_dict(pm)
    trainable = sum(p.numel() for p in pm.parameters() if p.requires_grad)
    # The file keys carry the "base_model.model." prefix (PeftModel's state-dict names).
    return {"tensors": [[k, list(t.shape)] for k, t in sd.items()], "trainable": trainable}

out = {
    "linear": {
        "scaling": layer.scaling["default"], "scaling_rslora": layer_rs.scaling["default"],
        "y": y.flatten().tolist(), "y_rslora": y_rs.flatten().tolist(), "merged_weight": merged.flatten().tolist(),
    },
    "init": {"max_abs_a_times_sqrt_in": float(a.detach().abs().max()) * math.sqrt(576), "b_all_zero": bool((b == 0).all())},
    "llama": {"all_linear": llama_names("all-linear"), "default": llama_names(None)},
}
print(json.dumps(out, indent=1))
