// ChatTemplate — renders a conversation the way a model's ChatML-style Jinja chat template does,
// recognized from the template text (GGUF `tokenizer.chat_template`, tokenizer_config.json).
//
// Recognized shape (after Jinja whitespace control, trim_blocks and lstrip_blocks):
//     [{% if messages[0]['role'] != 'system' %}{{ 'DEFAULT SYSTEM BLOCK' }}{% endif %}]
//     {% for message in messages %}
//       [{% if loop.first and messages[0]['role'] != 'system' %}{{ 'DEFAULT SYSTEM BLOCK' }}{% endif %}]
//       {{ 'PREFIX' + message['role'] + 'SEPARATOR' + message['content'] + 'SUFFIX' }}
//     {% endfor %}
//     [{% if add_generation_prompt %}{{ 'GENERATION PROMPT' }}{% endif %}]
// which covers SmolLM2 (PREFIX "<|im_start|>", SEPARATOR "\n", SUFFIX "<|im_end|>\n", the default
// system message "You are a helpful AI assistant named SmolLM, trained by Hugging Face", generation
// prompt "<|im_start|>assistant\n") and other plain ChatML templates. Anything else (tools, bos_token,
// filters, role checks that raise) is `ChatTemplateError.unsupported`, never rendered approximately.
public struct ChatTemplate: Sendable, Equatable {
    /// The template text it was recognized from.
    public let source: String
    public let messagePrefix: String
    public let roleSeparator: String
    public let messageSuffix: String
    /// Emitted before the messages when the first one is not a system message.
    public let defaultSystemBlock: String?
    /// Whether the default block is emitted even for an empty conversation (it sits before the loop).
    let defaultSystemOutsideLoop: Bool
    /// Appended with `addGenerationPrompt` ("" when the template has no such block).
    public let generationPrompt: String

    /// SmolLM2-135M-Instruct's `tokenizer.chat_template`, verbatim from the GGUF.
    public static let smolLM2Source = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    public static var smolLM2: ChatTemplate { try! ChatTemplate(template: smolLM2Source) }

    /// Recognizes `template`; throws `ChatTemplateError.unsupported` naming it otherwise.
    public init(template: String) throws {
        func fail(_ reason: String) -> ChatTemplateError { .unsupported(template: template, reason: reason) }
        var parts = try JinjaTemplateLexer.parts(template)
        for p in parts {
            if case .text(let t) = p { throw fail("literal text \(t.debugDescription) outside {{ }} and {% %}") }
        }
        var defaultBlock: String? = nil
        var outside = false

        func literal(_ p: JinjaTemplateLexer.Part?) -> String? {
            guard case .expression(let e)? = p, let atoms = JinjaTemplateLexer.concatenation(e) else { return nil }
            var s = ""
            for a in atoms { guard case .literal(let l) = a else { return nil }; s += l }
            return s
        }
        func isStatement(_ p: JinjaTemplateLexer.Part?, _ accepted: Set<String>) -> Bool {
            guard case .statement(let s)? = p else { return false }
            return accepted.contains(s.replacingOccurrences(of: "\"", with: "'"))
        }
        let notSystem: Set<String> = ["messages[0]['role'] != 'system'", "messages[0].role != 'system'",
                                      "not messages[0]['role'] == 'system'", "not messages[0].role == 'system'"]
        let ifNotSystem = Set(notSystem.map { "if " + $0 })
        let ifFirstNotSystem = Set(notSystem.map { "if loop.first and " + $0 })

        // Optional default block before the loop.
        if isStatement(parts.first, ifNotSystem) {
            guard parts.count >= 3, let lit = literal(parts[1]), isStatement(parts[2], ["endif"]) else {
                throw fail("the default-system-message block is not a single string")
            }
            defaultBlock = lit; outside = true
            parts.removeFirst(3)
        }
        // The loop header.
        guard case .statement(let forStatement)? = parts.first else { throw fail("it does not start with a loop over messages") }
        let words = forStatement.split(separator: " ")
        guard words.count == 4, words[0] == "for", words[2] == "in", words[3] == "messages" else {
            throw fail("unknown statement {% \(forStatement) %}")
        }
        let variable = String(words[1])
        parts.removeFirst()
        // Optional default block inside the loop.
        if isStatement(parts.first, ifFirstNotSystem) {
            guard defaultBlock == nil, parts.count >= 3, let lit = literal(parts[1]), isStatement(parts[2], ["endif"]) else {
                throw fail("the default-system-message block is not a single string")
            }
            defaultBlock = lit
            parts.removeFirst(3)
        }
        // The message expression.
        guard case .expression(let body)? = parts.first, let atoms = JinjaTemplateLexer.concatenation(body) else {
            throw fail("the loop body is not a concatenation of strings, \(variable)['role'] and \(variable)['content']")
        }
        var merged: [JinjaTemplateLexer.Atom] = []
        for a in atoms {
            if case .literal(let l) = a, case .literal(let prev)? = merged.last { merged[merged.count - 1] = .literal(prev + l) }
            else { merged.append(a) }
        }
        if case .field? = merged.first { merged.insert(.literal(""), at: 0) }
        if case .field? = merged.last { merged.append(.literal("")) }
        guard merged.count == 5,
              case .literal(let prefix) = merged[0],
              merged[1] == .field(variable: variable, name: "role"),
              case .literal(let separator) = merged[2],
              merged[3] == .field(variable: variable, name: "content"),
              case .literal(let suffix) = merged[4] else {
            throw fail("the loop body is not PREFIX + \(variable)['role'] + SEPARATOR + \(variable)['content'] + SUFFIX")
        }
        parts.removeFirst()
        guard isStatement(parts.first, ["endfor"]) else { throw fail("unexpected parts inside the message loop") }
        parts.removeFirst()
        // Optional generation prompt.
        var generation = ""
        if isStatement(parts.first, ["if add_generation_prompt"]) {
            guard parts.count >= 3, let lit = literal(parts[1]), isStatement(parts[2], ["endif"]) else {
                throw fail("the add_generation_prompt block is not a single string")
            }
            generation = lit
            parts.removeFirst(3)
        }
        if let extra = parts.first { throw fail("unexpected \(extra) after the message loop") }

        self.source = template
        self.messagePrefix = prefix
        self.roleSeparator = separator
        self.messageSuffix = suffix
        self.defaultSystemBlock = defaultBlock
        self.defaultSystemOutsideLoop = outside
        self.generationPrompt = generation
    }

    /// A piece of rendered text and what it is, for loss masks.
    public struct Span: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            case defaultSystem, header, content, footer, generationPrompt
        }
        public var text: String
        public var kind: Kind
        /// The message's role (nil for the default system block and the generation prompt).
        public var role: String?
    }

    /// The rendering as spans: [default system], then per message header (prefix, role,
    /// separator), content, footer (suffix), then [generation prompt].
    public func spans(_ messages: [ChatMessage], addGenerationPrompt: Bool = false) -> [Span] {
        var out: [Span] = []
        if let block = defaultSystemBlock, (defaultSystemOutsideLoop || !messages.isEmpty),
           messages.first?.role != "system" {
            out.append(Span(text: block, kind: .defaultSystem, role: nil))
        }
        for m in messages {
            out.append(Span(text: messagePrefix + m.role + roleSeparator, kind: .header, role: m.role))
            out.append(Span(text: m.content, kind: .content, role: m.role))
            out.append(Span(text: messageSuffix, kind: .footer, role: m.role))
        }
        if addGenerationPrompt && !generationPrompt.isEmpty {
            out.append(Span(text: generationPrompt, kind: .generationPrompt, role: nil))
        }
        return out
    }

    /// The rendered conversation, as `tokenizer.apply_chat_template(messages, tokenize=False)`.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = false) -> String {
        spans(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }
}
