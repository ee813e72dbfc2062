// GGUFValue — one metadata value of a GGUF file, every value type of GGUF v3 (GGML `docs/gguf.md`):
// eight integer widths, f32/f64, bool, UTF-8 string, and arrays (of any type, arrays included).
//
// Accessors convert leniently where the meaning is unambiguous: `int` accepts every integer width
// (converters write hyperparameters as u32, the spec says u64), `double` accepts floats and ints.
//
// Arrays are a GGUFArray: a collection of GGUFValues whose fixed-width elements (integers, floats,
// bools) are kept as their little-endian bytes, so an array costs about what it occupies in the
// file (a byte array of N bytes: N bytes of memory, not N boxed enum values of ~41 bytes each).
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

    /// Bytes of one value for the fixed-width types; nil for strings and arrays.
    var fixedSize: Int? {
        switch self {
        case .string, .array: return nil
        default: return minimumSize
        }
    }
}

public enum GGUFValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// Element type and elements (all of that type).
    case array(GGUFValueType, GGUFArray)

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
    public var array: GGUFArray? { if case .array(_, let a) = self { return a } else { return nil } }

    /// An array of strings.
    public var stringArray: [String]? {
        guard case .array(_, let a) = self, case .values(let values) = a.storage else { return nil }
        let out = values.compactMap(\.string)
        return out.count == values.count ? out : nil
    }

    /// An array of integers of any width (nil if any element does not fit in Int).
    public var intArray: [Int]? {
        guard case .array(_, let a) = self else { return nil }
        var out = [Int]()
        out.reserveCapacity(a.count)
        for v in a { guard let i = v.int else { return nil }; out.append(i) }
        return out
    }

    /// A short rendering for listings: scalars in full, arrays as type and count; strings are
    /// shortened and escaped (SafeText), so a hostile value never reaches a terminal raw.
    public var summary: String {
        switch self {
        case .string(let s): return SafeText.quoted(s, limit: 60)
        case .array(let t, let a): return "[\(t)] × \(a.count)"
        case .bool(let b): return String(b)
        case .float32(let f): return "\(f)"
        case .float64(let d): return "\(d)"
        case .uint64(let v): return String(v)
        default: return int.map(String.init) ?? "\(type)"
        }
    }
}

/// The elements of a GGUF array. Fixed-width elements are stored as their file bytes
/// (little-endian) and decoded on access; strings and nested arrays as GGUFValues.
public struct GGUFArray: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    enum Storage: Equatable, Sendable {
        /// Element type and `count × size` little-endian bytes.
        case packed(GGUFValueType, [UInt8])
        case values([GGUFValue])
    }
    let storage: Storage

    public init(_ values: [GGUFValue]) { storage = .values(values) }
    public init(arrayLiteral elements: GGUFValue...) { storage = .values(elements) }
    /// `bytes` holds `bytes.count / size` values of the fixed-width `type`, little-endian.
    init(packed type: GGUFValueType, bytes: [UInt8]) {
        precondition(type.fixedSize != nil, "GGUFArray(packed:): \(type) has no fixed size")
        storage = .packed(type, bytes)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .packed(let t, let b): return b.count / (t.fixedSize ?? 1)
        case .values(let v): return v.count
        }
    }

    public subscript(i: Int) -> GGUFValue {
        switch storage {
        case .values(let v): return v[i]
        case .packed(let t, let b):
            precondition(i >= 0 && i < endIndex, "GGUFArray: index \(i) out of range 0..<\(endIndex)")
            return b.withUnsafeBytes { raw -> GGUFValue in
                func load<T: FixedWidthInteger>(_: T.Type) -> T {
                    T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
                }
                switch t {
                case .uint8: return .uint8(load(UInt8.self))
                case .int8: return .int8(load(Int8.self))
                case .uint16: return .uint16(load(UInt16.self))
                case .int16: return .int16(load(Int16.self))
                case .uint32: return .uint32(load(UInt32.self))
                case .int32: return .int32(load(Int32.self))
                case .uint64: return .uint64(load(UInt64.self))
                case .int64: return .int64(load(Int64.self))
                case .float32: return .float32(Float(bitPattern: load(UInt32.self)))
                case .float64: return .float64(Double(bitPattern: load(UInt64.self)))
                case .bool: return .bool(load(UInt8.self) != 0)
                case .string, .array: preconditionFailure("GGUFArray: \(t) is never packed")
                }
            }
        }
    }

    /// Element-wise equality, however each side is stored.
    public static func == (a: GGUFArray, b: GGUFArray) -> Bool {
        if case .packed(let ta, let ba) = a.storage, case .packed(let tb, let bb) = b.storage { return ta == tb && ba == bb }
        return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }
}
