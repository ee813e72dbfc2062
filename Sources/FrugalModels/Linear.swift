// Linear — the projection layer of every transformer block, y = x·Wᵀ (+ b), W [Out, In].
// `LinearLayer` is the seam where LoRA and 4-bit (QLoRA) layers replace the plain one without the
// model code knowing: a block holds `any LinearLayer`.
import FrugalCore

public protocol LinearLayer: AnyObject {
    var inFeatures: Int { get }
    var outFeatures: Int { get }
    /// x [..., In] → [..., Out]: a fresh tensor that no other op reads yet and whose backward does
    /// not read it back (LoRALinear adds its low-rank update into it in place).
    func callAsFunction(_ x: Tensor) -> Tensor
    /// Trainable and frozen tensors of this layer, by their name relative to the layer
    /// ("weight", "bias", "lora_A.weight", …).
    var namedTensors: [(String, Tensor)] { get }
}

/// A layer that is a base projection plus a low-rank branch (LoRA) — what a block needs to make the
/// branches of layers sharing one input in grouped products (`DecoderBlock.project`).
public protocol LowRankAdaptedLayer: LinearLayer {
    /// The base projection alone.
    var base: any LinearLayer { get }
    /// A [r, In], B [Out, r] and the scale of the branch, when it can join a group now: nil when it
    /// must run on its own (merged into the base, or dropout active, which gives each branch its own
    /// mask of the input).
    var groupableBranch: (a: Tensor, b: Tensor, scale: Float)? { get }
}

public final class Linear: LinearLayer {
    public let weight: Tensor   // [Out, In]
    public let bias: Tensor?    // [Out]
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "Linear: bias \(bias!.shape) does not match weight \(weight.shape)")
        self.weight = weight
        self.bias = bias
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight, bias: bias) }

    public var namedTensors: [(String, Tensor)] {
        var r = [("weight", weight)]
        if let bias { r.append(("bias", bias)) }
        return r
    }
}

/// A trainable addition to a model's token embeddings: ids [B·T] with their shape [B, T] →
/// [B, T, C] (an adapter's embedding branch; FrugalTrain's EmbeddingLoRA).
public protocol EmbeddingBranch: AnyObject {
    func callAsFunction(ids: [Int32], shape: [Int]) -> Tensor
}
