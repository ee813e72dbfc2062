// HFConfigJSON — a minimal JSON value for reading foreign config files (HF config.json) strictly:
// a boolean is never mistaken for a number and a string never for either. Used only by the
// config.json reader; Frugal's own files are Codable structs.
import Foundation

enum HFConfigJSON: Decodable, Equatable {
    case null, bool(Bool), int(Int), double(Double), string(String)
    case array([HFConfigJSON]), object([String: HFConfigJSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([HFConfigJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: HFConfigJSON].self)) }
    }

    /// A short rendering for error messages.
    var shown: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[" + a.map(\.shown).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { "\"\($0)\": \(o[$0]!.shown)" }.joined(separator: ", ") + "}"
        }
    }
}
