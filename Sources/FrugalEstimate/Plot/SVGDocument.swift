// SVGDocument — a tiny SVG 1.1 writer: elements appended as text, attribute values and text
// escaped for XML. Pure text; no rendering. Numbers are written with two decimals (pixel space).
import Foundation

public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) { self.width = width; self.height = height }

    /// Escapes &, <, >, " and ' for use in text and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A pixel coordinate as text ("12.35").
    public static func num(_ v: Double) -> String { String(format: "%.2f", v) }

    static func attrs(_ a: KeyValuePairs<String, String>) -> String {
        a.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    public mutating func element(_ name: String, _ a: KeyValuePairs<String, String>) {
        body.append("<\(name)\(Self.attrs(a))/>")
    }

    /// Text element; `markup` is already-escaped inner XML (e.g. tspans), else use `text`.
    public mutating func text(_ text: String, _ a: KeyValuePairs<String, String>) {
        body.append("<text\(Self.attrs(a))>\(Self.escape(text))</text>")
    }

    public mutating func rawText(markup: String, _ a: KeyValuePairs<String, String>) {
        body.append("<text\(Self.attrs(a))>\(markup)</text>")
    }

    public mutating func open(_ name: String, _ a: KeyValuePairs<String, String>) { body.append("<\(name)\(Self.attrs(a))>") }
    public mutating func close(_ name: String) { body.append("</\(name)>") }

    public var xml: String {
        let w = Self.num(width), h = Self.num(height)
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" font-family="Helvetica, Arial, sans-serif">
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}
