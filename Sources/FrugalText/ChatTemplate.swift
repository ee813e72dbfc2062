// ChatTemplate — a model's Jinja chat template (GGUF `tokenizer.chat_template`, HF
// `chat_template.jinja` / tokenizer_config.json `chat_template`), parsed once and rendered the way
// transformers' `apply_chat_template(messages, tokenize=False)` renders it with jinja2: variables
// `messages` (a list of {"role", "content"} dicts), `add_generation_prompt`, `bos_token` and
// `eos_token` (left undefined when nil, as transformers leaves tokens the tokenizer lacks), plus any
// extra keyword (`date_string`, `enable_thinking`, `tools`, …). The Jinja subset and its limits are
// described in JinjaParser and JinjaInterpreter; a construct outside it is refused by name and line
// when the template is parsed (statements, filters, tests) or rendered (methods, functions).
//
// `spans` splits a rendering into per-message header / content / footer pieces for loss masks. It
// renders the conversation with each content replaced by a private-use sentinel to find where each
// message's text lands (templates may reorder: Mistral puts the system prompt in the last user turn),
// checks that putting the real contents back (or their trimmed form, for templates that `| trim`)
// reproduces the real rendering byte for byte, and takes a message's footer (end-of-turn marker) from
// rendering the conversation up to that message. Anything it cannot place is an error, never a guess.
public struct ChatTemplate: Sendable, Equatable {
    /// The template text.
    public let source: String
    /// Defaults for `bos_token` / `eos_token` (the tokenizer's), used when `render` is not given them.
    public var bosToken: String?
    public var eosToken: String?
    let nodes: [JinjaNode]

    /// SmolLM2-135M-Instruct's `tokenizer.chat_template`, verbatim from the GGUF.
    public static let smolLM2Source = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    /// SmolLM2's template (a constant that parses; tested).
    public static var smolLM2: ChatTemplate {
        // swiftlint:disable:next force_try
        try! ChatTemplate(template: smolLM2Source, bosToken: "<|im_start|>", eosToken: "<|im_end|>")
    }

    /// Parses `template`; throws `ChatTemplateError` (syntax, or an unsupported construct with its line).
    public init(template: String, bosToken: String? = nil, eosToken: String? = nil) throws(ChatTemplateError) {
        self.source = template
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.nodes = try JinjaParser.parse(template)
    }

    public static func == (a: ChatTemplate, b: ChatTemplate) -> Bool {
        a.source == b.source && a.bosToken == b.bosToken && a.eosToken == b.eosToken
    }

    /// The rendered conversation, as `tokenizer.apply_chat_template(messages, tokenize=False,
    /// add_generation_prompt=…, **variables)`. `bosToken` / `eosToken` override the template's defaults.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = false, bosToken: String? = nil,
                       eosToken: String? = nil, variables: [String: JinjaValue] = [:]) throws(ChatTemplateError) -> String {
        try render(variables: context(messages, addGenerationPrompt, bosToken, eosToken, variables))
    }

    /// Renders with exactly these variables (no defaults added).
    public func render(variables: [String: JinjaValue]) throws(ChatTemplateError) -> String {
        try JinjaInterpreter.render(nodes, variables: variables)
    }

    func context(_ messages: [ChatMessage], _ addGenerationPrompt: Bool, _ bos: String?, _ eos: String?,
                 _ extra: [String: JinjaValue]) -> [String: JinjaValue] {
        var v = extra
        v["messages"] = .list(messages.map { .dict(JinjaDict([("role", .string($0.role)), ("content", .string($0.content))])) })
        v["add_generation_prompt"] = .bool(addGenerationPrompt)
        if let b = bos ?? bosToken { v["bos_token"] = .string(b) }
        if let e = eos ?? eosToken { v["eos_token"] = .string(e) }
        return v
    }

    /// A piece of rendered text and what it is, for loss masks.
    public struct Span: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// Text before a message's content: its role header, and anything the template puts
            /// before it (BOS, a default system prompt, the previous turn's separators).
            case header
            /// The message's content as rendered.
            case content
            /// The end-of-turn text after the content (e.g. "<|im_end|>\n", "<|eot_id|>", "</s>").
            case footer
            /// Text after the last message with `addGenerationPrompt` (e.g. "<|im_start|>assistant\n").
            case generationPrompt
        }
        public var text: String
        public var kind: Kind
        /// The message's role (nil for text after the last message).
        public var role: String?
    }

    /// The rendering as spans in text order; their texts joined are `render(messages, …)`.
    public func spans(_ messages: [ChatMessage], addGenerationPrompt: Bool = false, bosToken: String? = nil,
                      eosToken: String? = nil, variables: [String: JinjaValue] = [:]) throws(ChatTemplateError) -> [Span] {
        try ChatTemplateSpans.spans(self, messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken,
                                    eosToken: eosToken, variables: variables)
    }
}
