// ChatTemplateError — why a chat template could not be parsed or rendered. Every case names the
// 1-based template line; `unsupported` names the Jinja construct Frugal's interpreter leaves out
// (see JinjaParser / JinjaInterpreter for the subset), `raised` carries the template's own
// raise_exception message (e.g. "Conversation roles must alternate user/assistant/…").
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// The template is not valid Jinja (jinja2 would refuse it too).
    case syntax(line: Int, message: String)
    /// Valid Jinja that Frugal's interpreter does not implement.
    case unsupported(construct: String, line: Int)
    /// The template called raise_exception(message).
    case raised(message: String, line: Int)
    /// Rendering failed the way jinja2 would fail (undefined attribute access, 'str' + 'int', …)
    /// or hit a resource limit.
    case runtime(line: Int, message: String)
    /// The rendering could not be split into per-message spans (for loss masks).
    case spans(String)

    public var description: String {
        switch self {
        case let .syntax(line, message):
            return "chat template line \(line): syntax error: \(message)"
        case let .unsupported(construct, line):
            return "chat template line \(line): \(construct) is not supported by Frugal's Jinja interpreter; use a model whose template avoids it, or pass plain text / prompt-completion data instead of messages"
        case let .raised(message, line):
            return "chat template line \(line): the template refused the conversation: \(message)"
        case let .runtime(line, message):
            return "chat template line \(line): \(message)"
        case let .spans(message):
            return "chat template: cannot mark the messages in the rendering: \(message); use prompt/completion data for this model"
        }
    }
}
