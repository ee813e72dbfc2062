// QuantizedBlockwise4Bit — a tensor in bitsandbytes' blockwise 4-bit format (NF4 or FP4), with
// optional double quantization of its absmax values. The shape a Tensor-based 4-bit linear layer
// keeps for its frozen [out, in] weight (QLoRA).
//
// Follows bnb 0.50 `functional.quantize_4bit` with the CPU backend (backends/default/ops.py):
//   - flatten row-major, cut into blocks of `blockSize` (32...4096, powers of two; default 64);
//   - absmax[b] = max |x| over block b, Float32;
//   - full blocks: scaled = clamp(x * (1 / max(absmax, 1e-38)), -1, 1)   (a reciprocal multiply);
//     the last, partial block: am = max(absmax, 1e-38), scaled = clamp(x / am, -1, 1) (a division),
//     and the *clamped* am is what is stored — so an all-zero tail block stores 1e-38, while an
//     all-zero full block stores 0. Either way its codes are those of 0: NF4 0x77, FP4 0x00 bytes;
//   - code = nearest table entry, ties to the lower code (FourBitQuantizer);
//   - packing: byte k = (code[2k] << 4) | code[2k+1] — the first element in the HIGH nibble (GGML is
//     the opposite); an odd count is padded with the code of 0.0.
// Dequantization (this file's `value(at:)`, and the fast kernels in +Dequantize):
//   x[i] = codebook[nibble(i)] * absmax[i / blockSize]  in Float32.
// Leaves out: quant_storage other than uint8 (same bytes, another dtype), 16-bit outputs (use
// HalfBuffer on the Float32 result: the product rounded to nearest even is what bnb returns).
import FrugalCore

public struct QuantizedBlockwise4Bit: Sendable, Equatable {
    /// Block sizes bitsandbytes accepts for 4-bit quantization.
    public static let allowedBlockSizes = [32, 64, 128, 256, 512, 1024, 2048, 4096]

    /// Per-block scales: plain Float32 absmax, or double-quantized.
    public enum Scales: Sendable, Equatable {
        case float([Float])
        case doubleQuantized(DoubleQuantizedAbsmax)
    }

    public let type: FourBitType
    /// The original tensor's shape, e.g. [out, in] for a linear weight (`quant_state.shape`).
    public let shape: [Int]
    public let blockSize: Int
    /// Packed codes, `(count + 1) / 2` bytes (bnb stores them as uint8 `[(count + 1) / 2, 1]`).
    public let packed: [UInt8]
    public let scales: Scales
    /// The dtype the tensor had before quantization (`quant_state.dtype`).
    public let dtype: TorchFloatDType

    /// Number of values (product of `shape`).
    public var count: Int { shape.reduce(1, *) }
    /// Number of blocks, `ceil(count / blockSize)`.
    public var blockCount: Int { (count + blockSize - 1) / blockSize }
    public var isDoubleQuantized: Bool { if case .doubleQuantized = scales { return true } else { return false } }
    /// The 16-entry code table (`quant_map`).
    public var quantMap: [Float] { type.codebook }

    /// Wraps stored state (e.g. read from a checkpoint), validating every length.
    public init(type: FourBitType, shape: [Int], blockSize: Int, packed: [UInt8], scales: Scales,
                dtype: TorchFloatDType = .float32) throws {
        guard Self.allowedBlockSizes.contains(blockSize) else {
            throw QuantError.invalidBlockSize(blockSize, allowed: Self.allowedBlockSizes)
        }
        guard let n = Self.elementCount(shape) else { throw QuantError.shapeMismatch(shape: shape, count: packed.count * 2) }
        guard packed.count == (n + 1) / 2 else {
            throw QuantError.lengthMismatch(field: "weight (packed 4-bit codes)", expected: (n + 1) / 2, actual: packed.count)
        }
        let blocks = (n + blockSize - 1) / blockSize
        switch scales {
        case .float(let a):
            guard a.count == blocks else { throw QuantError.lengthMismatch(field: "absmax", expected: blocks, actual: a.count) }
        case .doubleQuantized(let d):
            guard d.codes.count == blocks else {
                throw QuantError.lengthMismatch(field: "absmax (uint8, double-quantized)", expected: blocks, actual: d.codes.count)
            }
        }
        self.type = type
        self.shape = shape
        self.blockSize = blockSize
        self.packed = packed
        self.scales = scales
        self.dtype = dtype
    }

    /// Quantizes `x` (row-major values of a tensor with `shape`) to 4 bits, as bitsandbytes does on CPU.
    /// `dtype` only labels the source (pass .bfloat16 when `x` holds widened bf16 weights).
    public static func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int], type: FourBitType,
                                blockSize: Int = 64, doubleQuant: Bool = false,
                                dtype: TorchFloatDType = .float32) throws -> QuantizedBlockwise4Bit {
        guard allowedBlockSizes.contains(blockSize) else { throw QuantError.invalidBlockSize(blockSize, allowed: allowedBlockSizes) }
        guard let total = elementCount(shape), total == x.count else {
            throw QuantError.shapeMismatch(shape: shape, count: x.count)
        }
        if let bad = x.firstIndex(where: { !$0.isFinite }) { throw QuantError.nonFinite(index: bad, value: x[bad]) }
        let n = x.count
        let blocks = (n + blockSize - 1) / blockSize
        let quantizer = type.quantizer
        let zeroCode = quantizer.code(for: 0)
        var absmax = [Float](repeating: 0, count: blocks)
        var packed = [UInt8](repeating: 0, count: (n + 1) / 2)
        let floor: Float = 1e-38  // bnb: absmax.clamp(min=1e-38), rounded to Float32
        absmax.withUnsafeMutableBufferPointer { am in
            packed.withUnsafeMutableBufferPointer { pk in
                let amp = am.baseAddress!, pkp = pk.baseAddress!
                Parallel.forChunks(blocks, grain: max(1, 16384 / blockSize)) { range in
                    var codes = [UInt8](repeating: zeroCode, count: blockSize + 1)
                    for b in range {
                        let lo = b * blockSize, hi = min(n, lo + blockSize)
                        var m: Float = 0
                        for i in lo..<hi { m = max(m, abs(x[i])) }
                        if hi - lo == blockSize {
                            amp[b] = m
                            let inv = 1 / max(m, floor)
                            for i in lo..<hi { codes[i - lo] = quantizer.code(for: min(max(x[i] * inv, -1), 1)) }
                        } else {
                            let d = max(m, floor)
                            amp[b] = d
                            for i in lo..<hi { codes[i - lo] = quantizer.code(for: min(max(x[i] / d, -1), 1)) }
                        }
                        codes[hi - lo] = zeroCode  // the pad nibble when the count is odd
                        // blocks start at even indices (blockSize is even), so bytes never straddle blocks
                        for j in 0..<((hi - lo + 1) / 2) {
                            pkp[lo / 2 + j] = (codes[2 * j] << 4) | codes[2 * j + 1]
                        }
                    }
                }
            }
        }
        let scales: Scales = doubleQuant ? .doubleQuantized(try DoubleQuantizedAbsmax(quantizing: absmax)) : .float(absmax)
        return try QuantizedBlockwise4Bit(type: type, shape: shape, blockSize: blockSize, packed: packed, scales: scales,
                                          dtype: dtype)
    }

    public static func quantize(_ x: [Float], shape: [Int], type: FourBitType, blockSize: Int = 64,
                                doubleQuant: Bool = false, dtype: TorchFloatDType = .float32) throws -> QuantizedBlockwise4Bit {
        try x.withUnsafeBufferPointer {
            try quantize($0, shape: shape, type: type, blockSize: blockSize, doubleQuant: doubleQuant, dtype: dtype)
        }
    }

    /// The product of `shape`, or nil if it is empty, has a non-positive dimension, or overflows
    /// (a corrupt header must not make us allocate or trap).
    public static func elementCount(_ shape: [Int]) -> Int? {
        guard !shape.isEmpty else { return nil }
        var n = 1
        for d in shape {
            guard d > 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow || p > 1 << 48 { return nil }
            n = p
        }
        return n
    }

    // MARK: element access (the reference semantics)

    /// The 4-bit code of element `i` (high nibble for even i, low nibble for odd i).
    @inlinable
    public func code(at i: Int) -> UInt8 {
        let byte = packed[i >> 1]
        return i & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    /// The Float32 absmax of block `b` (rebuilt from the nested state when double-quantized).
    @inlinable
    public func absmax(ofBlock b: Int) -> Float {
        switch scales {
        case .float(let a): return a[b]
        case .doubleQuantized(let d): return d.absmax(ofBlock: b)
        }
    }

    /// All block absmax values as Float32 (what bnb passes to its dequantize kernel).
    public func absmaxValues() -> [Float] { (0..<blockCount).map(absmax(ofBlock:)) }

    /// Dequantized element `i`: codebook[code(i)] * absmax(block of i).
    @inlinable
    public func value(at i: Int) -> Float { type.codebook[Int(code(at: i))] * absmax(ofBlock: i / blockSize) }

    // MARK: storage accounting

    /// Bits per parameter of this format, from its definition: 4 + 32/blockSize without double
    /// quantization (4.5 at 64), 4 + 8/blockSize + 32/(blockSize * nestedBlockSize) with it (≈4.127).
    public static func bitsPerParameter(blockSize: Int, doubleQuant: Bool, nestedBlockSize: Int = 256) -> Double {
        let b = Double(blockSize)
        return doubleQuant ? 4 + 8 / b + 32 / (b * Double(nestedBlockSize)) : 4 + 32 / b
    }

    /// Bytes this tensor occupies: packed codes plus scales (plus the nested offset).
    public var byteCount: Int {
        switch scales {
        case .float(let a): return packed.count + 4 * a.count
        case .doubleQuantized(let d): return packed.count + d.byteCount
        }
    }

    /// Measured bits per parameter of this tensor (byteCount * 8 / count).
    public var measuredBitsPerParameter: Double { Double(byteCount * 8) / Double(count) }
}
