// HalfBuffer — 16-bit float storage that converts to Float32 on use (how bf16/fp16 weights and
// activations are kept: half the bytes of Float32, arithmetic done in Float32).
// Shape-free: a flat run of values; the owner keeps the shape. Conversions use HalfConversion.
public struct HalfBuffer: Sendable, Equatable {
    public var bits: [UInt16]
    public let format: HalfFormat

    public init(bits: [UInt16], format: HalfFormat) {
        self.bits = bits
        self.format = format
    }

    /// Rounds `values` to `format` (round to nearest even, see BFloat16Bits / Float16Bits).
    public init(_ values: [Float], format: HalfFormat) {
        self.bits = HalfConversion.encode(values, format: format)
        self.format = format
    }

    public var count: Int { bits.count }
    /// Storage size in bytes (2 per value).
    public var byteCount: Int { bits.count * 2 }

    /// The value at `i`, widened exactly to Float32.
    public subscript(i: Int) -> Float {
        get { format.decode(bits[i]) }
        set { bits[i] = format.encode(newValue) }
    }

    /// All values as Float32.
    public func toFloat() -> [Float] { HalfConversion.decode(bits, format: format) }

    /// Values `range` as Float32, written to `destination` (which must hold `range.count` values).
    public func toFloat(_ range: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bits.count,
                     "HalfBuffer.toFloat: range \(range) outside 0..<\(bits.count)")
        bits.withUnsafeBufferPointer { b in
            HalfConversion.decode(UnsafeBufferPointer(rebasing: b[range]), into: destination, format: format)
        }
    }

    /// The same values re-rounded to another 16-bit format (via exact Float32).
    public func converted(to other: HalfFormat) -> HalfBuffer {
        other == format ? self : HalfBuffer(toFloat(), format: other)
    }
}
