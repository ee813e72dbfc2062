// QuantizedLinear — a frozen linear layer whose weight is stored in 4 bits (NF4 or FP4, optionally
// with double-quantized scales): the QLoRA base layer (Dettmers et al. 2023). Forward and the input
// gradient dequantize tile by tile (Tensor.linear4Bit); the weight never trains. Its packed bytes are
// reserved in MemoryStats so measured memory includes them.
import FrugalCore
import FrugalQuant

public final class QuantizedLinear: LinearLayer {
    public let weight: QuantizedBlockwise4Bit   // [Out, In]
    public let bias: Tensor?
    let reservation: MemoryReservation
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public init(weight: QuantizedBlockwise4Bit, bias: Tensor? = nil) {
        precondition(weight.shape.count == 2, "QuantizedLinear: weight must be [out, in], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        reservation = MemoryReservation(bytes: weight.byteCount)
    }

    /// Quantizes a Float32 linear layer (bitsandbytes' quantize_4bit on its weight).
    public convenience init(quantizing linear: Linear, type: FourBitType = .nf4, blockSize: Int = 64,
                            doubleQuant: Bool = true) throws {
        let w = linear.weight
        let q = try QuantizedBlockwise4Bit.quantize(UnsafeBufferPointer(start: w.data, count: w.count), shape: w.shape,
                                                    type: type, blockSize: blockSize, doubleQuant: doubleQuant)
        self.init(weight: q, bias: linear.bias)
    }

    /// Float32 block scales, rebuilt once from double quantization the first time a few rows (a
    /// decoded token) go through; 4 bytes per block of 64 weights (+0.5 bit per parameter).
    private var decodeAbsmax: [Float]? = nil
    private var decodeReservation: MemoryReservation? = nil

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let rows = x.count / Swift.max(1, inFeatures)
        if rows <= Tensor.linear4BitGEMVRows && !GradMode.isEnabled {
            if decodeAbsmax == nil {
                decodeAbsmax = weight.absmaxValues()
                decodeReservation = MemoryReservation(bytes: 4 * decodeAbsmax!.count)
            }
            return x.linear4Bit(weight, bias: bias, absmax: decodeAbsmax)
        }
        return x.linear4Bit(weight, bias: bias)
    }

    /// Only the bias is a tensor; the 4-bit weight is written by FrugalIO's bitsandbytes writer.
    public var namedTensors: [(String, Tensor)] { bias.map { [("bias", $0)] } ?? [] }
}

extension DecoderModel {
    /// Replaces every linear layer inside the blocks by its 4-bit quantization (embeddings, norms
    /// and the head stay Float32, as bitsandbytes leaves them). The Float32 weights are released.
    public func quantizeBlockLinears(type: FourBitType = .nf4, blockSize: Int = 64, doubleQuant: Bool = true) throws {
        func q(_ l: any LinearLayer) throws -> any LinearLayer {
            guard let plain = l as? Linear else { return l }
            return try QuantizedLinear(quantizing: plain, type: type, blockSize: blockSize, doubleQuant: doubleQuant)
        }
        for b in blocks {
            b.qProj = try q(b.qProj); b.kProj = try q(b.kProj); b.vProj = try q(b.vProj); b.oProj = try q(b.oProj)
            b.gateProj = try q(b.gateProj); b.upProj = try q(b.upProj); b.downProj = try q(b.downProj)
        }
    }
}
