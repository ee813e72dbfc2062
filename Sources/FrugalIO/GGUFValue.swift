// GGUFValue — one metadata value of a GGUF file, every value type of GGUF v3 (GGML `docs/gguf.md`):
// eight integer widths, f32/f64, bool, UTF-8 string, and arrays (of any type, arrays included).
//
// Accessors convert leniently where the meaning is unambiguous: `int` accepts every integer width
// (converters write hyperparameters as u32, the spec says u64), `double` accepts floats and ints.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Fewest bytes one value of this type occupies in the file (used to bound counts).
    var minimumSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

public indirect enum GGUFValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// Element type and elements (all of that type).
    case array(GGUFValueType, [GGUFValue])

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// Any integer width, when the value fits in Int.
    public var int: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(exactly: v)
        default: return nil
        }
    }

    /// Floats, and integers converted.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return int.map(Double.init)
        }
    }

    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [GGUFValue]? { if case .array(_, let a) = self { return a } else { return nil } }

    /// An array of strings.
    public var stringArray: [String]? {
        guard case .array(_, let a) = self else { return nil }
        let out = a.compactMap(\.string)
        return out.count == a.count ? out : nil
    }

    /// An array of integers of any width (nil if any element does not fit in Int).
    public var intArray: [Int]? {
        guard case .array(_, let a) = self else { return nil }
        var out = [Int]()
        out.reserveCapacity(a.count)
        for v in a { guard let i = v.int else { return nil }; out.append(i) }
        return out
    }

    /// A short rendering for listings: scalars in full, arrays as type and count.
    public var summary: String {
        switch self {
        case .string(let s): return s.count > 60 ? String(s.prefix(57)).debugDescription + "…" : s.debugDescription
        case .array(let t, let a): return "[\(t)] × \(a.count)"
        case .bool(let b): return String(b)
        case .float32(let f): return "\(f)"
        case .float64(let d): return "\(d)"
        default: return int.map(String.init) ?? "\(self)"
        }
    }
}
