// ExactMatch — held-out accuracy of a model on prompt → answer data: for every record, the prompt
// (a prompt/completion pair's prompt, or a conversation up to its last assistant turn, rendered with
// the chat template and its generation prompt) is decoded greedily, and the generated text counts
// as correct when it equals the reference answer after trimming surrounding whitespace.
// `text` records have no answer and are refused.
import Foundation
import FrugalText

public struct ExactMatchResult: Sendable, Codable {
    public struct Sample: Sendable, Codable {
        public var prompt: String
        public var expected: String
        public var generated: String
        public var correct: Bool
    }
    public var correct: Int
    public var total: Int
    public var samples: [Sample]
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
}

public enum ExactMatchError: Error, CustomStringConvertible {
    case noAnswer(String)
    case noChatTemplate(String)
    public var description: String {
        switch self {
        case let .noAnswer(w): return "\(w): a {\"text\"} record has no answer to compare; use prompt/completion or messages ending with an assistant turn"
        case let .noChatTemplate(w): return "\(w): messages need the model's chat template, and the model has none Frugal can render"
        }
    }
}

extension DecoderModel {
    public func exactMatch(_ records: [DatasetRecord], tokenizer: ModelTokenizer, maxTokens: Int = 64,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> ExactMatchResult {
        var result = ExactMatchResult(correct: 0, total: 0, samples: [])
        for (i, r) in records.enumerated() {
            let prompt: String, expected: String
            switch r.content {
            case .text: throw ExactMatchError.noAnswer("\(r.path):\(r.line)")
            case let .promptCompletion(p, c):
                prompt = p; expected = c
            case let .messages(ms):
                guard let last = ms.lastIndex(where: { $0.role == "assistant" }) else { throw ExactMatchError.noAnswer("\(r.path):\(r.line)") }
                guard let template = tokenizer.chatTemplate else { throw ExactMatchError.noChatTemplate("\(r.path):\(r.line)") }
                prompt = try template.render(Array(ms[..<last]), addGenerationPrompt: true)
                expected = ms[last].content
            }
            let ids = tokenizer.tokenizer.encode(prompt, addSpecialTokens: r.format != .messages).map { Int32($0) }
            let out = generate(prompt: ids, maxTokens: maxTokens, eos: tokenizer.stopIDs)
            let text = tokenizer.tokenizer.decode(out.tokens.map(Int.init), skipSpecialTokens: true)
            let ok = text.trimmingCharacters(in: .whitespacesAndNewlines) == expected.trimmingCharacters(in: .whitespacesAndNewlines)
            result.total += 1
            if ok { result.correct += 1 }
            result.samples.append(.init(prompt: prompt, expected: expected, generated: text, correct: ok))
            progress(i + 1, records.count)
        }
        return result
    }
}
