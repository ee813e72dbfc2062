// OpenAIRequests — the request bodies of the OpenAI API that `frugal serve` accepts, as Codable
// values: POST /v1/chat/completions and POST /v1/completions. Field names are OpenAI's (snake_case
// on the wire). Unknown keys are ignored, as OpenAI's clients send fields a small server has no use
// for (user, logit_bias, …); a field that would change the answer and is not implemented (n > 1,
// logprobs, tools) is refused with 400 by `GenerationParameters.validate`, never silently ignored.
// Follows https://platform.openai.com/docs/api-reference/chat/create and …/completions/create.

/// A `stop` value: one string or a list of strings (OpenAI allows up to 4).
public struct StopSequences: Codable, Equatable, Sendable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { values = [] } else if let s = try? c.decode(String.self) { values = [s] } else {
            values = try c.decode([String].self)
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(values)
    }
}

/// A message's `content`: a string, a list of content parts (only `{"type": "text", "text": …}`
/// parts are accepted), or null (an assistant turn without text).
public struct MessageContent: Codable, Equatable, Sendable {
    public var text: String
    public init(_ text: String) { self.text = text }

    struct Part: Codable {
        var type: String
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { text = ""; return }
        if let s = try? c.decode(String.self) { text = s; return }
        let parts: [Part]
        do { parts = try c.decode([Part].self) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription:
                "content must be a string, a list of {\"type\": \"text\", \"text\": …} parts, or null")
        }
        var joined = ""
        for p in parts {
            guard p.type == "text", let t = p.text else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "content part of type '\(p.type)' is not supported (only 'text' parts are)")
            }
            joined += t
        }
        text = joined
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

public struct ChatRequestMessage: Codable, Equatable, Sendable {
    public var role: String
    public var content: MessageContent
    public init(role: String, content: String) { self.role = role; self.content = MessageContent(content) }

    enum CodingKeys: String, CodingKey { case role, content }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        content = try c.decodeIfPresent(MessageContent.self, forKey: .content) ?? MessageContent("")
    }
}

public struct StreamOptions: Codable, Equatable, Sendable {
    public var includeUsage: Bool?
    public init(includeUsage: Bool? = nil) { self.includeUsage = includeUsage }
    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

/// The sampling fields both endpoints share.
public struct SamplingFields: Codable, Equatable, Sendable {
    public var temperature: Double?
    public var topP: Double?
    /// Not OpenAI's, but llama.cpp's and vLLM's servers take it too.
    public var topK: Int?
    public var maxTokens: Int?
    /// The newer name of max_tokens in the chat API.
    public var maxCompletionTokens: Int?
    public var stop: StopSequences?
    public var seed: Int64?
    public var n: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public init() {}

    enum CodingKeys: String, CodingKey {
        case temperature, topP = "top_p", topK = "top_k", maxTokens = "max_tokens",
             maxCompletionTokens = "max_completion_tokens", stop, seed, n, stream, streamOptions = "stream_options"
    }
}

/// POST /v1/chat/completions.
public struct ChatCompletionRequest: Codable, Equatable, Sendable {
    public var model: String?
    public var messages: [ChatRequestMessage]
    public var sampling: SamplingFields
    /// Present and non-empty: refused (tool calling is not implemented).
    public var hasTools: Bool
    public var wantsLogprobs: Bool

    public init(model: String?, messages: [ChatRequestMessage], sampling: SamplingFields = SamplingFields()) {
        self.model = model; self.messages = messages; self.sampling = sampling; hasTools = false; wantsLogprobs = false
    }

    enum CodingKeys: String, CodingKey { case model, messages, tools, logprobs }
    struct AnyJSON: Decodable { init(from decoder: any Decoder) throws {} }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([ChatRequestMessage].self, forKey: .messages)
        sampling = try SamplingFields(from: decoder)
        hasTools = ((try? c.decodeIfPresent([AnyJSON].self, forKey: .tools)) ?? nil).map { !$0.isEmpty } ?? false
        wantsLogprobs = (try c.decodeIfPresent(Bool.self, forKey: .logprobs)) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encode(messages, forKey: .messages)
        try sampling.encode(to: encoder)
    }
}

/// A completions `prompt`: a string, a list of one string, or a list of token ids.
public enum CompletionPrompt: Codable, Equatable, Sendable {
    case text(String)
    case tokens([Int])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let ids = try? c.decode([Int].self) { self = .tokens(ids); return }
        if let list = try? c.decode([String].self) {
            guard list.count == 1 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "a list of \(list.count) prompts is not supported: send one prompt per request")
            }
            self = .text(list[0]); return
        }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "prompt must be a string or a list of token ids")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .text(s): try c.encode(s)
        case let .tokens(ids): try c.encode(ids)
        }
    }
}

/// POST /v1/completions.
public struct CompletionRequest: Codable, Equatable, Sendable {
    public var model: String?
    public var prompt: CompletionPrompt
    public var sampling: SamplingFields
    public var echo: Bool
    public var wantsLogprobs: Bool

    public init(model: String?, prompt: String, sampling: SamplingFields = SamplingFields()) {
        self.model = model; self.prompt = .text(prompt); self.sampling = sampling; echo = false; wantsLogprobs = false
    }

    enum CodingKeys: String, CodingKey { case model, prompt, echo, logprobs }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        prompt = try c.decode(CompletionPrompt.self, forKey: .prompt)
        sampling = try SamplingFields(from: decoder)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo) ?? false
        wantsLogprobs = (try c.decodeIfPresent(Int.self, forKey: .logprobs)).map { $0 > 0 } ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encode(prompt, forKey: .prompt)
        try sampling.encode(to: encoder)
    }
}
