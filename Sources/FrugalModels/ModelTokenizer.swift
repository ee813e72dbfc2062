// ModelTokenizer — the tokenizer and chat template that belong to a model, loaded from the same
// place as the weights: a GGUF file's tokenizer.* metadata, or an HF directory's tokenizer.json and
// tokenizer_config.json (chat_template, eos_token). End-of-sequence ids for generation are the
// tokenizer's EOS plus the end-of-turn token of ChatML (<|im_end|>) or Gemma (<end_of_turn>) where
// the vocabulary has one. A GGUF without tokenizer.chat_template whose vocabulary has Gemma's turn
// tokens gets Gemma 3's template (ChatTemplate.gemma3Source), as every Gemma 3 HF repository has it.
import Foundation
import FrugalIO
import FrugalText

public struct ModelTokenizer {
    public let tokenizer: BPETokenizer
    public let chatTemplate: ChatTemplate?
    /// The template text when it could not be used (so a command can say which template it was).
    public let chatTemplateError: ChatTemplateError?
    public let stopIDs: Set<Int32>

    public init(tokenizer: BPETokenizer, chatTemplateSource: String?) {
        self.tokenizer = tokenizer
        var template: ChatTemplate? = nil, templateError: ChatTemplateError? = nil
        if let src = chatTemplateSource {
            do {
                template = try ChatTemplate(template: src, bosToken: tokenizer.bosID.flatMap { tokenizer.token(for: $0) },
                                            eosToken: tokenizer.eosID.flatMap { tokenizer.token(for: $0) })
            } catch { templateError = error }
        }
        chatTemplate = template
        chatTemplateError = templateError
        var stops = Set<Int32>()
        if let e = tokenizer.eosID { stops.insert(Int32(e)) }
        for end in ["<|im_end|>", "<end_of_turn>"] { if let id = tokenizer.id(for: end) { stops.insert(Int32(id)) } }
        stopIDs = stops
    }

    /// Loads the tokenizer of a GGUF file, an HF directory, or a cached model name (only the
    /// tokenizer: the model's configuration is not needed, so `frugal tokenize` reads a GGUF that
    /// holds a vocabulary alone).
    public static func load(_ argument: String) throws -> ModelTokenizer {
        switch try ModelSource.resolve(argument) {
        case .gguf(let path): return try load(gguf: GGUFFile(path: path))
        case .hfDirectory(let path): return try load(hfDirectory: path)
        }
    }

    /// The tokenizer of opened model files; `chatTemplateFile` (a Jinja file, `--chat-template`)
    /// replaces the model's own template.
    public static func load(_ files: ModelFiles, chatTemplateFile: String? = nil) throws -> ModelTokenizer {
        let loaded: ModelTokenizer
        switch files.opened {
        case .gguf(let g): loaded = try load(gguf: g.file)
        case .hfDirectory(let d): loaded = try load(hfDirectory: d.path)
        }
        guard let chatTemplateFile else { return loaded }
        guard let data = FileManager.default.contents(atPath: chatTemplateFile) else {
            throw ModelTokenizerError.unreadableChatTemplate(path: chatTemplateFile)
        }
        return ModelTokenizer(tokenizer: loaded.tokenizer, chatTemplateSource: String(decoding: data, as: UTF8.self))
    }

    private static func load(gguf file: GGUFFile) throws -> ModelTokenizer {
        let path = file.path
        let m = try file.tokenizerMetadata()
        let tok = try BPETokenizer(tokens: m.tokens, merges: m.merges,
                                   tokenTypes: m.tokenTypes.isEmpty ? nil : m.tokenTypes.map { Int32($0) },
                                   scores: m.scores.isEmpty ? nil : m.scores,
                                   bosID: m.bosTokenId, eosID: m.eosTokenId, unkID: m.unknownTokenId,
                                   padID: m.paddingTokenId, addBOS: m.addBosToken,
                                   addEOS: m.addEosToken ?? false, addSpacePrefix: m.addSpacePrefix,
                                   model: m.model, pre: m.pre, source: path)
        return ModelTokenizer(tokenizer: tok, chatTemplateSource: m.chatTemplate ?? fallbackChatTemplate(tok))
    }

    private static func load(hfDirectory path: String) throws -> ModelTokenizer {
        let dir = URL(fileURLWithPath: path)
        var config: [String: Any] = [:]
        if let data = try? Data(contentsOf: dir.appendingPathComponent("tokenizer_config.json")),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { config = obj }
        func tokenString(_ key: String) -> String? {
            if let s = config[key] as? String { return s }
            return (config[key] as? [String: Any])?["content"] as? String
        }
        let tok = try BPETokenizer(tokenizerJSON: dir.appendingPathComponent("tokenizer.json"),
                                   bosToken: tokenString("bos_token"), eosToken: tokenString("eos_token"),
                                   padToken: tokenString("pad_token"))
        return ModelTokenizer(tokenizer: tok, chatTemplateSource: chatTemplate(in: dir, config: config))
    }

    /// The template of a GGUF that carries none: Gemma 3's when the vocabulary has its turn tokens.
    static func fallbackChatTemplate(_ tok: BPETokenizer) -> String? {
        tok.id(for: "<start_of_turn>") != nil && tok.id(for: "<end_of_turn>") != nil ? ChatTemplate.gemma3Source : nil
    }

    /// An HF directory's chat template: chat_template.jinja, else tokenizer_config.json's
    /// `chat_template` (a string, or [{name, template}] → the one named "default").
    static func chatTemplate(in dir: URL, config: [String: Any]) -> String? {
        if let data = try? Data(contentsOf: dir.appendingPathComponent("chat_template.jinja")) {
            return String(decoding: data, as: UTF8.self)
        }
        if let s = config["chat_template"] as? String { return s }
        if let list = config["chat_template"] as? [[String: Any]] {
            return list.first { $0["name"] as? String == "default" }?["template"] as? String
        }
        return nil
    }
}

public enum ModelTokenizerError: Error, CustomStringConvertible, Equatable {
    case unreadableChatTemplate(path: String)
    /// A command needs a chat template and there is none.
    case noChatTemplate(model: String)

    public var description: String {
        switch self {
        case .unreadableChatTemplate(let p): return "\(p): cannot read the chat template file given to --chat-template"
        case .noChatTemplate(let m):
            return "\(m) has no chat template; pass one with --chat-template FILE (a Jinja template such as a model's chat_template.jinja)"
        }
    }
}
