// OpenAIResponses — the response bodies `frugal serve` sends, in OpenAI's shapes: chat.completion,
// chat.completion.chunk (one per server-sent event), text_completion, the model list, usage and
// errors. Fields OpenAI sends as explicit `null` (finish_reason of a chunk, logprobs) are encoded as
// null, not left out, so strict clients see the shape they expect. Decodable too: the tests read
// the server's answers back through the same types.

public struct Usage: Codable, Equatable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens; self.completionTokens = completionTokens
        totalTokens = promptTokens + completionTokens
    }
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }
}

public struct AssistantMessage: Codable, Equatable, Sendable {
    public var role: String
    public var content: String
}

public struct ChatChoice: Codable, Equatable, Sendable {
    public var index: Int
    public var message: AssistantMessage
    public var finishReason: String
    enum CodingKeys: String, CodingKey { case index, message, finishReason = "finish_reason", logprobs }
    public init(index: Int, message: AssistantMessage, finishReason: String) {
        self.index = index; self.message = message; self.finishReason = finishReason
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        message = try c.decode(AssistantMessage.self, forKey: .message)
        finishReason = try c.decode(String.self, forKey: .finishReason)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(message, forKey: .message)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encodeNil(forKey: .logprobs)
    }
}

/// `object: "chat.completion"`.
public struct ChatCompletionResponse: Codable, Equatable, Sendable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [ChatChoice]
    public var usage: Usage
}

public struct ChunkDelta: Codable, Equatable, Sendable {
    public var role: String?
    public var content: String?
}

public struct ChatChunkChoice: Codable, Equatable, Sendable {
    public var index: Int
    public var delta: ChunkDelta
    public var finishReason: String?
    enum CodingKeys: String, CodingKey { case index, delta, finishReason = "finish_reason", logprobs }
    public init(index: Int, delta: ChunkDelta, finishReason: String?) {
        self.index = index; self.delta = delta; self.finishReason = finishReason
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        delta = try c.decode(ChunkDelta.self, forKey: .delta)
        finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(delta, forKey: .delta)
        if let finishReason { try c.encode(finishReason, forKey: .finishReason) } else { try c.encodeNil(forKey: .finishReason) }
        try c.encodeNil(forKey: .logprobs)
    }
}

/// `object: "chat.completion.chunk"`; the last one (with stream_options.include_usage) has no
/// choices and the usage.
public struct ChatCompletionChunk: Codable, Equatable, Sendable {
    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var choices: [ChatChunkChoice]
    public var usage: Usage?
}

public struct CompletionChoice: Codable, Equatable, Sendable {
    public var index: Int
    public var text: String
    public var finishReason: String?
    enum CodingKeys: String, CodingKey { case index, text, finishReason = "finish_reason", logprobs }
    public init(index: Int, text: String, finishReason: String?) {
        self.index = index; self.text = text; self.finishReason = finishReason
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        text = try c.decode(String.self, forKey: .text)
        finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(text, forKey: .text)
        if let finishReason { try c.encode(finishReason, forKey: .finishReason) } else { try c.encodeNil(forKey: .finishReason) }
        try c.encodeNil(forKey: .logprobs)
    }
}

/// `object: "text_completion"` (streamed chunks have the same shape, one choice each).
public struct CompletionResponse: Codable, Equatable, Sendable {
    public var id: String
    public var object = "text_completion"
    public var created: Int
    public var model: String
    public var choices: [CompletionChoice]
    public var usage: Usage?
}

public struct ModelEntry: Codable, Equatable, Sendable {
    public var id: String
    public var object = "model"
    public var created: Int
    public var ownedBy: String
    enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
}

/// GET /v1/models.
public struct ModelList: Codable, Equatable, Sendable {
    public var object = "list"
    public var data: [ModelEntry]
}

/// `{"error": {"message", "type", "param", "code"}}`, param and code null when not set.
public struct ErrorBody: Codable, Equatable, Sendable {
    public struct Detail: Codable, Equatable, Sendable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?
        enum CodingKeys: String, CodingKey { case message, type, param, code }
        public init(message: String, type: String, param: String?, code: String?) {
            self.message = message; self.type = type; self.param = param; self.code = code
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            message = try c.decode(String.self, forKey: .message)
            type = try c.decode(String.self, forKey: .type)
            param = try c.decodeIfPresent(String.self, forKey: .param)
            code = try c.decodeIfPresent(String.self, forKey: .code)
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            if let param { try c.encode(param, forKey: .param) } else { try c.encodeNil(forKey: .param) }
            if let code { try c.encode(code, forKey: .code) } else { try c.encodeNil(forKey: .code) }
        }
    }
    public var error: Detail
}
