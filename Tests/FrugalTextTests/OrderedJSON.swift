// Test helper: JSON text → JinjaValue keeping object key order (Python dicts are ordered, and
// tojson / items() output depends on it; JSONSerialization loses the order).
import Foundation
@testable import FrugalText

struct OrderedJSON {
    let s: [UInt8]
    var i = 0

    static func parse(_ data: Data) throws -> JinjaValue {
        var p = OrderedJSON(s: Array(data))
        let v = try p.value()
        return v
    }

    struct Bad: Error { let at: Int }

    mutating func ws() { while i < s.count, [0x20, 0x0A, 0x0D, 0x09].contains(s[i]) { i += 1 } }

    mutating func value() throws -> JinjaValue {
        ws()
        guard i < s.count else { throw Bad(at: i) }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1; var d = JinjaDict(); ws()
            if s[i] == UInt8(ascii: "}") { i += 1; return .dict(d) }
            while true {
                ws(); guard case .string(let k) = try value() else { throw Bad(at: i) }
                ws(); guard s[i] == UInt8(ascii: ":") else { throw Bad(at: i) }; i += 1
                d[k] = try value(); ws()
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                guard s[i] == UInt8(ascii: "}") else { throw Bad(at: i) }; i += 1
                return .dict(d)
            }
        case UInt8(ascii: "["):
            i += 1; var a: [JinjaValue] = []; ws()
            if s[i] == UInt8(ascii: "]") { i += 1; return .list(a) }
            while true {
                a.append(try value()); ws()
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                guard s[i] == UInt8(ascii: "]") else { throw Bad(at: i) }; i += 1
                return .list(a)
            }
        case UInt8(ascii: "\""):
            let start = i
            i += 1
            while s[i] != UInt8(ascii: "\"") { if s[i] == UInt8(ascii: "\\") { i += 1 }; i += 1 }
            i += 1
            let str = try JSONDecoder().decode(String.self, from: Data(s[start..<i]))
            return .string(str)
        case UInt8(ascii: "t"): i += 4; return .bool(true)
        case UInt8(ascii: "f"): i += 5; return .bool(false)
        case UInt8(ascii: "n"): i += 4; return .none
        default:
            let start = i
            while i < s.count, "+-0123456789.eE".utf8.contains(s[i]) { i += 1 }
            let text = String(decoding: s[start..<i], as: UTF8.self)
            if let n = Int(text) { return .int(n) }
            guard let d = Double(text) else { throw Bad(at: start) }
            return .double(d)
        }
    }
}

extension JinjaValue {
    subscript(_ key: String) -> JinjaValue? { if case .dict(let d) = self { return d[key] }; return nil }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var listValue: [JinjaValue] { if case .list(let a) = self { return a }; return [] }
    var dictValue: JinjaDict? { if case .dict(let d) = self { return d }; return nil }
}
