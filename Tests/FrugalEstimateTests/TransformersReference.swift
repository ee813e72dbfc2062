// Reference values produced by reference/param_counts.py (transformers 5.23.0, torch 2.15.0+cu132): models built
// with AutoModelForCausalLM.from_config on the meta device; totals are sum(p.numel() for p in
// model.parameters()). Regenerate with
// `reference/.venv/bin/python reference/param_counts.py` and paste; do not edit by hand.
enum TransformersReference {
    /// Preset name → parameters transformers instantiates.
    static let totals: [String: Int] = [
        "SmolLM2-135M": 134515008,
        "SmolLM2-360M": 361821120,
        "SmolLM2-1.7B": 1711376384,
        "Llama-2-7B": 6738415616,
        "Llama-2-13B": 13015864320,
        "Llama-2-70B": 68976648192,
        "LLaMA-65B": 65285660672,
        "Llama-3-8B": 8030261248,
        "Llama-3-70B": 70553706496,
        "Mistral-7B": 7241732096,
        "Qwen2.5-0.5B": 494032768,
        "Qwen2.5-7B": 7615616512,
        "GPT-2": 124439808,
        "GPT-2-XL": 1557611200,
        "GPT-3-175B": 174604259328,
    ]
}
