// ChatTemplateError — a chat template Frugal does not understand. Frugal recognizes ChatML-style
// templates (SmolLM2, Qwen2-without-tools and similar) from their text instead of running a
// Jinja interpreter; anything else is refused by name rather than rendered wrongly.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// `template` is shown abbreviated; `reason` says which construct was not understood.
    case unsupported(template: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupported(template, reason):
            let flat = template.replacingOccurrences(of: "\n", with: "\\n")
            let excerpt = flat.count > 120 ? String(flat.prefix(120)) + "…" : flat
            return "unsupported chat template \"\(excerpt)\": \(reason). Frugal renders ChatML-style templates (<|im_start|>role\\ncontent<|im_end|>, as in SmolLM2); use such a model, or pass plain text / prompt-completion data instead of messages"
        }
    }
}
