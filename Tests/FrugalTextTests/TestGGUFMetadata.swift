// A minimal, test-only GGUF v3 metadata reader (strings, integers, bools and arrays of them) so
// the tokenizer tests can read the real SmolLM2 vocabulary without depending on FrugalIO.
// Follows GGML docs/gguf.md: magic "GGUF", u32 version, u64 tensor count, u64 kv count, then
// (string key, u32 type, value) entries; strings are u64 length + bytes; arrays are u32 element
// type + u64 count + elements.
import Foundation

struct TestGGUFMetadata {
    enum Value {
        case int(Int64), double(Double), bool(Bool), string(String)
        case array([Value])
    }

    private(set) var values: [String: Value] = [:]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        var r = Reader(data: data)
        guard try r.bytes(4) == Array("GGUF".utf8) else { throw Failure("\(path) is not a GGUF file") }
        let version = try r.u32()
        guard version == 3 else { throw Failure("\(path): GGUF version \(version), expected 3") }
        _ = try r.u64()
        let kvCount = try r.u64()
        for _ in 0..<kvCount {
            let key = try r.string()
            let type = try r.u32()
            values[key] = try r.value(type: type)
        }
    }

    func string(_ key: String) -> String? { if case .string(let s)? = values[key] { return s }; return nil }
    func int(_ key: String) -> Int? { if case .int(let v)? = values[key] { return Int(v) }; return nil }
    func bool(_ key: String) -> Bool? { if case .bool(let v)? = values[key] { return v }; return nil }
    func strings(_ key: String) -> [String]? {
        guard case .array(let a)? = values[key] else { return nil }
        return a.compactMap { if case .string(let s) = $0 { return s }; return nil }
    }
    func int32s(_ key: String) -> [Int32]? {
        guard case .array(let a)? = values[key] else { return nil }
        return a.compactMap { if case .int(let v) = $0 { return Int32(v) }; return nil }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    struct Reader {
        let data: Data
        var pos = 0
        init(data: Data) { self.data = data }

        mutating func bytes(_ n: Int) throws -> [UInt8] {
            guard n >= 0, pos + n <= data.count else { throw Failure("truncated GGUF metadata at byte \(pos)") }
            let start = data.startIndex + pos
            pos += n
            return [UInt8](data[start..<(start + n)])
        }
        mutating func le(_ n: Int) throws -> UInt64 {
            var v: UInt64 = 0
            for (i, b) in try bytes(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            return v
        }
        mutating func u32() throws -> UInt32 { UInt32(try le(4)) }
        mutating func u64() throws -> UInt64 { try le(8) }
        mutating func string() throws -> String {
            let n = try u64()
            guard n < 1 << 24 else { throw Failure("string of \(n) bytes at \(pos)") }
            return String(decoding: try bytes(Int(n)), as: UTF8.self)
        }
        mutating func value(type: UInt32) throws -> Value {
            switch type {
            case 0: return .int(Int64(try le(1)))
            case 1: return .int(Int64(Int8(truncatingIfNeeded: try le(1))))
            case 2: return .int(Int64(try le(2)))
            case 3: return .int(Int64(Int16(truncatingIfNeeded: try le(2))))
            case 4: return .int(Int64(try le(4)))
            case 5: return .int(Int64(Int32(truncatingIfNeeded: try le(4))))
            case 6: return .double(Double(Float(bitPattern: UInt32(try le(4)))))
            case 7: return .bool(try le(1) != 0)
            case 8: return .string(try string())
            case 9:
                let elementType = try u32()
                let count = try u64()
                guard count < 1 << 24 else { throw Failure("array of \(count) elements at \(pos)") }
                var out: [Value] = []
                out.reserveCapacity(Int(count))
                for _ in 0..<count { out.append(try value(type: elementType)) }
                return .array(out)
            case 10: return .int(Int64(bitPattern: try le(8)))
            case 11: return .int(Int64(bitPattern: try le(8)))
            case 12: return .double(Double(bitPattern: try le(8)))
            default: throw Failure("unknown GGUF value type \(type) at \(pos)")
            }
        }
    }
}
