// ExampleEncoder — DatasetRecord → TokenizedExample (ids + loss mask), truncated to maxSeqLen.
//
// The whole example is rendered to one string and tokenized once (so BPE sees exactly what the
// model will see at inference, e.g. the chat template's "\n" followed by the content); the mask
// comes from token offsets: a token is a target when any of its bytes lies in a target span.
//  - text: every token is a target; an EOS is appended (mlx-lm does this) unless already there.
//  - prompt/completion: prompt + completion concatenated verbatim, EOS appended; targets are the
//    completion and the EOS (and the prompt with trainOnPrompt).
//  - messages: rendered by the chat template without generation prompt; targets are each assistant
//    message's content and its end-of-turn footer (ChatML "<|im_end|>\n", Llama 3 "<|eot_id|>"; see
//    ChatTemplateSpans), as TRL's assistant-only loss does; with trainOnPrompt every token is a target. No EOS is appended: the template ends turns.
// The post-processor's prefix (a BOS for models that add one) is added to text and prompt data and
// is never a target. Truncation keeps the first maxSeqLen tokens.
public struct ExampleEncoder: Sendable {
    public var tokenizer: BPETokenizer
    public var chatTemplate: ChatTemplate?
    public var maxSeqLen: Int
    public var trainOnPrompt: Bool
    public var appendEOS: Bool

    public init(tokenizer: BPETokenizer, chatTemplate: ChatTemplate?, maxSeqLen: Int,
                trainOnPrompt: Bool = false, appendEOS: Bool = true) {
        precondition(maxSeqLen > 0, "maxSeqLen must be positive, got \(maxSeqLen)")
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.maxSeqLen = maxSeqLen
        self.trainOnPrompt = trainOnPrompt
        self.appendEOS = appendEOS
    }

    public func encode(_ record: DatasetRecord) throws -> TokenizedExample {
        // (text, isTarget) parts in order.
        var parts: [(String, Bool)] = []
        var addSpecial = true
        var eos = appendEOS
        switch record.content {
        case .text(let t):
            parts = [(t, true)]
        case let .promptCompletion(prompt, completion):
            parts = [(prompt, trainOnPrompt), (completion, true)]
        case .messages(let messages):
            guard let template = chatTemplate else {
                throw DatasetError.chatTemplate(path: record.path, line: record.line,
                    detail: "\"messages\" need a chat template and the model has none; use \"text\" or \"prompt\"/\"completion\" data")
            }
            let spans: [ChatTemplate.Span]
            do { spans = try template.spans(messages) } catch {
                throw DatasetError.chatTemplate(path: record.path, line: record.line, detail: "\(error)")
            }
            for span in spans {
                let target = trainOnPrompt || (span.role == "assistant" && (span.kind == .content || span.kind == .footer))
                parts.append((span.text, target))
            }
            addSpecial = false
            eos = false
        }
        var text = ""
        var targets: [Range<Int>] = []
        var offset = 0
        for (t, isTarget) in parts {
            let n = t.utf8.count
            if isTarget && n > 0 { targets.append(offset..<(offset + n)) }
            text += t
            offset += n
        }
        let enc = tokenizer.encodeWithOffsets(text, addSpecialTokens: addSpecial)
        var ids = enc.ids
        var mask = enc.offsets.map { r in targets.contains { $0.overlaps(r) } }
        if eos, let e = tokenizer.eosID, ids.last != e {
            ids.append(e)
            mask.append(true)
        } else if eos, let e = tokenizer.eosID, ids.last == e {
            mask[mask.count - 1] = true
        }
        let truncated = ids.count > maxSeqLen
        if truncated {
            ids.removeLast(ids.count - maxSeqLen)
            mask.removeLast(mask.count - maxSeqLen)
        }
        return TokenizedExample(ids: ids, lossMask: mask, truncated: truncated)
    }
}
