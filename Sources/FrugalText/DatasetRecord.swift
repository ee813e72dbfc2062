// DatasetRecord — one line of a JSONL dataset, in one of the three formats mlx-lm and TRL accept:
//     {"text": "..."}                                   plain text, loss on every token
//     {"prompt": "...", "completion": "..."}            loss on the completion
//     {"messages": [{"role": "user", "content": "..."}, ...]}   chat; loss on assistant turns
// Extra keys are ignored (datasets often carry ids or metadata). Parsing validates everything a
// later step relies on, so a bad line fails the load with its file and line number.
import Foundation

public struct DatasetRecord: Equatable, Sendable {
    public enum Content: Equatable, Sendable {
        case text(String)
        case promptCompletion(prompt: String, completion: String)
        case messages([ChatMessage])
    }

    public enum Format: String, Sendable {
        case text = "\"text\""
        case promptCompletion = "\"prompt\"/\"completion\""
        case messages = "\"messages\""
    }

    public var content: Content
    /// Where it came from, for error messages.
    public var path: String
    public var line: Int

    public init(content: Content, path: String = "<memory>", line: Int = 0) {
        self.content = content
        self.path = path
        self.line = line
    }

    public var format: Format {
        switch content {
        case .text: return .text
        case .promptCompletion: return .promptCompletion
        case .messages: return .messages
        }
    }

    static let roles: Set<String> = ["system", "user", "assistant", "tool"]

    /// Validates one decoded JSON line. `fail` builds the error for this line.
    static func parse(_ object: Any, path: String, line: Int) throws -> DatasetRecord {
        func fail(_ detail: String) -> DatasetError { .malformedLine(path: path, line: line, detail: detail) }
        guard let o = object as? [String: Any] else {
            throw fail("expected a JSON object, found \(jsonKind(object))")
        }
        if let messages = o["messages"] {
            guard let list = messages as? [Any] else { throw fail("\"messages\" is not an array") }
            guard !list.isEmpty else { throw fail("\"messages\" is empty") }
            var out: [ChatMessage] = []
            for (i, item) in list.enumerated() {
                guard let m = item as? [String: Any] else { throw fail("\"messages\"[\(i)] is not an object") }
                guard let roleValue = m["role"] else { throw fail("\"messages\"[\(i)] has no \"role\"") }
                guard let role = roleValue as? String else { throw fail("\"messages\"[\(i)][\"role\"] is not a string") }
                guard roles.contains(role) else {
                    throw fail("\"messages\"[\(i)][\"role\"] is \"\(role)\"; expected \"system\", \"user\", \"assistant\" or \"tool\"")
                }
                guard let contentValue = m["content"] else { throw fail("\"messages\"[\(i)] has no \"content\"") }
                guard let content = contentValue as? String else {
                    throw fail("\"messages\"[\(i)][\"content\"] is \(jsonKind(contentValue)), not a string")
                }
                out.append(ChatMessage(role: role, content: content))
            }
            guard out.contains(where: { $0.role == "assistant" }) else {
                throw fail("\"messages\" has no \"assistant\" message, so there is nothing to learn")
            }
            return DatasetRecord(content: .messages(out), path: path, line: line)
        }
        if o["prompt"] != nil || o["completion"] != nil {
            guard let pv = o["prompt"] else { throw fail("has \"completion\" but no \"prompt\"") }
            guard let cv = o["completion"] else { throw fail("has \"prompt\" but no \"completion\"") }
            guard let prompt = pv as? String else { throw fail("\"prompt\" is \(jsonKind(pv)), not a string") }
            guard let completion = cv as? String else { throw fail("\"completion\" is \(jsonKind(cv)), not a string") }
            guard !completion.isEmpty else { throw fail("\"completion\" is empty") }
            return DatasetRecord(content: .promptCompletion(prompt: prompt, completion: completion), path: path, line: line)
        }
        if let tv = o["text"] {
            guard let text = tv as? String else { throw fail("\"text\" is \(jsonKind(tv)), not a string") }
            guard !text.isEmpty else { throw fail("\"text\" is empty") }
            return DatasetRecord(content: .text(text), path: path, line: line)
        }
        let keys = o.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        throw fail("expected \"text\", \"prompt\" and \"completion\", or \"messages\"; found \(keys.isEmpty ? "no keys" : keys)")
    }

    static func jsonKind(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return String(cString: n.objCType) == "c" ? "a boolean" : "a number"
        default: return "\(type(of: v))"
        }
    }
}
