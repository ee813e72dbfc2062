// TokenizerError — everything that can be wrong with a tokenizer description (a tokenizer.json or
// a GGUF's tokenizer arrays). Each message names the file or field and says what to do.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read or is not JSON.
    case unreadable(source: String, detail: String)
    /// A required field is missing or has the wrong type.
    case missingField(source: String, field: String, expected: String)
    /// A feature the file asks for that Frugal does not implement (it would change the ids).
    case unsupported(source: String, field: String, value: String)
    /// A merge is not "left right", or names a token the vocabulary lacks.
    case badMerge(source: String, index: Int, merge: String, detail: String)
    /// Two parallel arrays disagree in length, or an id is out of range.
    case inconsistent(source: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(source, detail):
            return "\(source): cannot read the tokenizer: \(detail)"
        case let .missingField(source, field, expected):
            return "\(source): \"\(field)\" is missing or is not \(expected); is this a Hugging Face tokenizer.json / a GGUF with tokenizer metadata?"
        case let .unsupported(source, field, value):
            return "\(source): \(field) = \(value) is not supported (Frugal implements the BPE tokenizers of GPT-2, SmolLM2, Llama 2/3, Qwen2/2.5/3, Mistral and Gemma 3); use a model with one of those tokenizers"
        case let .badMerge(source, index, merge, detail):
            return "\(source): merge #\(index) \"\(merge)\": \(detail); the tokenizer file is corrupt or was written for another vocabulary"
        case let .inconsistent(source, detail):
            return "\(source): \(detail); the tokenizer file is corrupt"
        }
    }
}
