// LoRALinear — a frozen base projection plus a trainable low-rank update (Hu et al. 2021), as
// PEFT's `lora.Linear` (peft `tuners/lora/layer.py`):
//   y = base(x) + scaling · (dropout(x) · Aᵀ) · Bᵀ
// Shapes: x [..., In]; A [r, In]; B [Out, r]; y [..., Out].
// Init (PEFT init_lora_weights=True): A ~ U(−1/√In, 1/√In) — kaiming_uniform_(a=√5) works out to
// that bound — and B = 0, so before the first update the layer equals its base exactly.
// Dropout applies only to the LoRA branch's input, with the adapter's seeded generator, and only
// while `training`. When merged (W ← W + scaling·B·A) the forward is the base alone.
//
// Merging needs a float `Linear` base; a 4-bit base (QLoRA) would dequantize, add and requantize,
// which is lossy and left to the quantized layer. Leaves out: LoRA bias, fan_in_fan_out (DoRA is
// DoRALinear, beside it behind AdapterLayer).
import FrugalCore
import FrugalModels

public final class LoRALinear: AdapterLayer {
    /// The frozen projection being adapted.
    public let base: any LinearLayer
    /// lora_A.weight [r, In], lora_B.weight [Out, r].
    public let loraA: Tensor, loraB: Tensor
    public let scaling: Float
    public let dropout: Float
    /// The generator for dropout masks (shared by every layer of an adapter).
    public let rng: RandomGenerator
    /// Dropout is active only while training.
    public var training = true
    /// Whether scaling·B·A has been added into the base weight.
    public private(set) var merged = false

    /// Groupable with the other branches reading the same input unless merged or dropping out.
    public var groupableBranch: (a: Tensor, b: Tensor, scale: Float)? {
        merged || (training && dropout > 0) ? nil : (loraA, loraB, scaling)
    }

    public var inFeatures: Int { base.inFeatures }
    public var outFeatures: Int { base.outFeatures }
    public var rank: Int { loraA.shape[0] }

    /// Wraps `base` with fresh adapter weights drawn from `initRNG`.
    public convenience init(base: any LinearLayer, rank: Int, scaling: Float, dropout: Float,
                initRNG: RandomGenerator, dropoutRNG: RandomGenerator) {
        precondition(rank > 0, "LoRALinear: rank \(rank) must be positive")
        let bound = 1 / Float(base.inFeatures).squareRoot()
        let a = Tensor.uniform([rank, base.inFeatures], -bound, bound, rng: initRNG, requiresGrad: true)
        let b = Tensor(zeros: [base.outFeatures, rank], requiresGrad: true)
        self.init(base: base, a: a, b: b, scaling: scaling, dropout: dropout, dropoutRNG: dropoutRNG)
    }

    /// Wraps `base` with given adapter weights (A [r, In], B [Out, r]), e.g. loaded from a file.
    public init(base: any LinearLayer, a: Tensor, b: Tensor, scaling: Float, dropout: Float, dropoutRNG: RandomGenerator) {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == base.inFeatures && b.shape[0] == base.outFeatures
                     && a.shape[0] == b.shape[1],
                     "LoRALinear: A \(a.shape) and B \(b.shape) do not fit a base of \(base.inFeatures) → \(base.outFeatures)")
        precondition(dropout >= 0 && dropout < 1, "LoRALinear: dropout \(dropout) must be in [0, 1)")
        self.base = base
        loraA = a; loraB = b
        a.requiresGrad = true; b.requiresGrad = true
        self.scaling = scaling
        self.dropout = dropout
        rng = dropoutRNG
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = base(x)
        if merged { return y }
        // y + scaling · (dropout(x)·Aᵀ)·Bᵀ, accumulated into the base's fresh output; the dropout
        // mask is kept as bits inside the op, dropout(x) is never stored
        return y.addingLowRank(x: x, a: loraA, b: loraB, scale: scaling, dropout: training ? dropout : 0, rng: rng)
    }

    public var adapterTensors: [(String, Tensor)] { [("lora_A.weight", loraA), ("lora_B.weight", loraB)] }

    /// The base's tensors under their own names, then lora_A.weight and lora_B.weight.
    public var namedTensors: [(String, Tensor)] { base.namedTensors + adapterTensors }

    /// W + scaling·B·A.
    public func mergedWeight(base w: Tensor) -> Tensor { withoutGrad { w + delta() } }

    /// scaling · B · A [Out, In], outside any graph.
    public func delta() -> Tensor {
        withoutGrad { loraB.matmul(loraA) * scaling }
    }

    /// Adds scaling·B·A into the base weight, refusing (and changing nothing) when the result would
    /// hold NaN or ±Inf (PEFT's safe_merge). `name` is used in messages.
    public func merge(name: String = "layer") throws {
        guard !merged else { throw LoRAError.mergeState(expectedMerged: false) }
        let w = try checkedMergedWeight(name)
        try floatBase(name).weight.data.update(from: w.data, count: w.count)
        merged = true
    }

    /// Subtracts scaling·B·A from the base weight again (exact up to float rounding).
    public func unmerge(name: String = "layer") throws {
        guard merged else { throw LoRAError.mergeState(expectedMerged: true) }
        try floatBase(name).weight.addInPlace(delta(), scale: -1)
        merged = false
    }
}
