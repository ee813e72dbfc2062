// RequestPlanner — turns a decoded request into a GenerationRequest, or a 4xx APIError: which model
// (404 when `model` names none served), the prompt's token ids (chat messages through the model's
// chat template; a completion's text with the tokenizer's BOS rule), and the sampling parameters
// checked against OpenAI's ranges (400 naming the parameter). A prompt that leaves no room in the
// context for a reply is 413. Defaults follow OpenAI: temperature 1, top_p 1, max_tokens up to the
// end of the context; without `seed` each request draws a fresh one.
import FrugalModels
import FrugalText

/// ModelTokenizer is an immutable value whose BPETokenizer is Sendable (its cache is locked) and whose
/// ChatTemplate is Sendable; the box says so for the whole.
struct TokenizerBox: @unchecked Sendable {
    let value: ModelTokenizer
    init(_ value: ModelTokenizer) { self.value = value }
}

struct RequestPlanner: Sendable {
    let info: ServedModelInfo
    let tokenizer: TokenizerBox

    /// (adapter to select — nil for the base —, the id to answer with). No `model`: the base.
    func model(_ name: String?) throws(APIError) -> (adapter: String?, id: String) {
        guard let name, !name.isEmpty, name != info.baseID else { return (nil, info.baseID) }
        guard info.adapterIDs.contains(name) else { throw .unknownModel(name, known: info.modelIDs) }
        return (name, name)
    }

    func chatPrompt(_ messages: [ChatRequestMessage]) throws(APIError) -> [Int32] {
        guard !messages.isEmpty else { throw .badRequest("'messages' is empty: send at least one message.", param: "messages") }
        guard let template = tokenizer.value.chatTemplate else {
            let why = tokenizer.value.chatTemplateError.map { "its chat template could not be used (\($0))" } ?? "it has no chat template"
            throw .badRequest("This model cannot chat: \(why). Use /v1/completions with a plain prompt.", param: "messages")
        }
        let rendered: String
        do {
            rendered = try template.render(messages.map { ChatMessage(role: $0.role, content: $0.content.text) },
                                           addGenerationPrompt: true)
        } catch {
            throw .badRequest("The chat template refused these messages: \(error)", param: "messages")
        }
        return tokenizer.value.tokenizer.encode(rendered, addSpecialTokens: false).map(Int32.init)
    }

    func completionPrompt(_ prompt: CompletionPrompt) throws(APIError) -> [Int32] {
        switch prompt {
        case let .text(t):
            return tokenizer.value.tokenizer.encode(t).map(Int32.init)
        case let .tokens(ids):
            let vocab = tokenizer.value.tokenizer.vocabularySize
            if let bad = ids.first(where: { $0 < 0 || $0 >= vocab }) {
                throw .badRequest("Token id \(bad) in 'prompt' is outside the vocabulary (0..<\(vocab)).", param: "prompt")
            }
            return ids.map { Int32($0) }
        }
    }

    /// `promptParam`: the field the prompt came from ("messages" or "prompt"), for error messages.
    func generation(prompt: [Int32], _ f: SamplingFields, adapter: String?, promptParam: String) throws(APIError) -> GenerationRequest {
        guard !prompt.isEmpty else { throw .badRequest("The prompt is empty: it encodes to no tokens.", param: promptParam) }
        if let n = f.n, n != 1 { throw .badRequest("'n' must be 1 (one choice per request), not \(n).", param: "n") }
        let temperature = f.temperature ?? 1
        guard temperature >= 0 && temperature <= 2 else {
            throw .badRequest("'temperature' must be between 0 and 2 (0 = greedy), not \(temperature).", param: "temperature")
        }
        let topP = f.topP ?? 1
        guard topP >= 0 && topP <= 1 else { throw .badRequest("'top_p' must be between 0 and 1, not \(topP).", param: "top_p") }
        let topK = f.topK ?? 0
        guard topK >= 0 else { throw .badRequest("'top_k' must be ≥ 0 (0 = off), not \(topK).", param: "top_k") }
        let stops = f.stop?.values ?? []
        guard stops.count <= 16 else { throw .badRequest("'stop' has \(stops.count) strings; at most 16 are accepted.", param: "stop") }
        let room = info.contextLength - prompt.count
        guard room >= 1 else { throw .promptTooLong(tokens: prompt.count, context: info.contextLength, param: promptParam) }
        var maxTokens = room
        if let m = f.maxCompletionTokens ?? f.maxTokens {
            let name = f.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens"
            guard m >= 1 else { throw .badRequest("'\(name)' must be at least 1, not \(m).", param: name) }
            maxTokens = min(m, room)
        }
        // top_p 0 keeps only the most likely token: greedy.
        let greedy = temperature == 0 || topP == 0
        let seed = f.seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: 0...UInt64.max)
        let sampling = SamplingOptions(temperature: greedy ? 0 : Float(temperature), topK: topK,
                                       topP: greedy ? 1 : max(Float(topP), Float.leastNormalMagnitude), seed: seed)
        return GenerationRequest(prompt: prompt, maxTokens: maxTokens, sampling: sampling, stop: stops, adapter: adapter)
    }
}
