// ChatMessage — one turn of a conversation ({"role": …, "content": …}, as in HF chat templates).
public struct ChatMessage: Equatable, Sendable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
