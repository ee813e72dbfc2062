// DynamicQuantLUT — bitsandbytes' CPU lookup table for 8-bit blockwise quantization, reproduced.
//
// bnb 0.50's native CPU kernel (csrc/cpu_ops.cpp `quantize_cpu_impl`, `build_quantize_lut`,
// `norm_to_lut_index`) does not search the code for the nearest value. It discretises [-1, 1] into
// 65536 bins, precomputes the code index of each bin, and looks values up:
//   bin(i)   = -1 + (2 i) / 65535                         (Float32)
//   lut[i]   = number of code midpoints (0.5 (c[k] + c[k+1]), Float32) strictly below bin(i)
//   index(x) = trunc(fma((clamp(x, -1, 1) + 1) * 0.5, 65535, 0.5))   (the shipped binary fuses
//              this multiply-add; checked by disassembling libbitsandbytes_cpu.so)
// so a value can land one code away from its true nearest code. Reproducing this is what makes the
// bytes equal to `bitsandbytes.functional.quantize_blockwise` on CPU (and therefore to a bnb
// double-quantized 4-bit checkpoint made on CPU). The nearest-code rule (bnb's torch backend and the
// spec) is `QuantizedBlockwise8Bit.Rounding.nearest`.
public struct DynamicQuantLUT: Sendable {
    public static let size = 65536
    public let table: [UInt8]

    /// Builds the table for a sorted 256-entry code.
    public init(code: [Float]) {
        precondition(code.count == 256, "DynamicQuantLUT: code has \(code.count) entries, need 256")
        let mids = (0..<255).map { 0.5 * (code[$0] + code[$0 + 1]) }
        var lut = [UInt8](repeating: 0, count: Self.size)
        var k = 0
        for i in 0..<Self.size {
            let v: Float = -1 + (2 * Float(i)) / Float(Self.size - 1)
            while k < 255 && mids[k] < v { k += 1 }
            lut[i] = UInt8(k)
        }
        table = lut
    }

    /// The table for `DynamicMap.signed8`, built once.
    public static let signed8 = DynamicQuantLUT(code: DynamicMap.signed8)

    /// The bin of a value already multiplied by 1/absmax.
    @inlinable
    public static func bin(_ x: Float) -> Int {
        let c = min(max(x, -1), 1)
        let t = (c + 1) * 0.5
        let half: Float = 0.5
        return Int(UInt16(truncatingIfNeeded: Int32(half.addingProduct(t, 65535))))
    }

    @inlinable
    public func code(for scaled: Float) -> UInt8 { table[Self.bin(scaled)] }
}
