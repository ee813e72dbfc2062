// DoRALinear — weight-decomposed low-rank adaptation (Liu et al. 2024, "DoRA"), as PEFT's
// `use_dora=True` computes it (peft `tuners/lora/dora.py`, DoraLinearLayer; `lora/layer.py` Linear):
//   V = W + s·B·A,  n = ‖V‖ per output row (over In), detached — treated as a constant, as the
//   paper's section 4.3 and PEFT do;  g = m / n  [Out]
//   y = base(x) + (g − 1) ⊙ (x·Wᵀ) + g ⊙ s·(x·Aᵀ)·Bᵀ
// which equals x·(g ⊙ V)ᵀ + bias. x·Wᵀ is the base's output without its bias; with dropout active it
// is recomputed from dropout(x) (PEFT: base_result = None), so both branches see the same mask.
// Shapes: x [..., In]; W [Out, In]; A [r, In]; B [Out, r]; m (lora_magnitude_vector) [Out].
// Init (PEFT): A ~ U(−1/√In, 1/√In), B = 0, m = ‖W‖ per row, so the layer starts equal to its base.
// The base may be a float Linear or a 4-bit QuantizedLinear (dequantized for the norm, as PEFT's
// dequantize_module_weight); merging (g ⊙ V into W) needs a float base.
// Leaves out: DoRA on embeddings and convolutions, fan_in_fan_out.
import Foundation
import FrugalCore
import FrugalModels

public final class DoRALinear: AdapterLayer {
    public let base: any LinearLayer
    /// lora_A.weight [r, In], lora_B.weight [Out, r], lora_magnitude_vector [Out].
    public let loraA: Tensor, loraB: Tensor, magnitude: Tensor
    public let scaling: Float
    public let dropout: Float
    public let rng: RandomGenerator
    public var training = true
    public private(set) var merged = false
    /// g = m / ‖W + s·B·A‖ at the time of merging (what unmerge divides by).
    private var mergedScale: [Float]? = nil

    public var inFeatures: Int { base.inFeatures }
    public var outFeatures: Int { base.outFeatures }
    /// DoRA's branches never join grouped low-rank products (each needs its own scale).
    public var groupableBranch: (a: Tensor, b: Tensor, scale: Float)? { nil }

    /// Wraps `base` with fresh adapter weights drawn from `initRNG`; m starts at ‖W‖ per row.
    public convenience init(base: any LinearLayer, rank: Int, scaling: Float, dropout: Float,
                            initRNG: RandomGenerator, dropoutRNG: RandomGenerator) {
        precondition(rank > 0, "DoRALinear: rank \(rank) must be positive")
        let bound = 1 / Float(base.inFeatures).squareRoot()
        let a = Tensor.uniform([rank, base.inFeatures], -bound, bound, rng: initRNG, requiresGrad: true)
        let b = Tensor(zeros: [base.outFeatures, rank], requiresGrad: true)
        let m = Tensor(DoRALinear.rowNorms(DoRALinear.denseWeight(base), rows: base.outFeatures), shape: [base.outFeatures])
        self.init(base: base, a: a, b: b, magnitude: m, scaling: scaling, dropout: dropout, dropoutRNG: dropoutRNG)
    }

    /// Wraps `base` with given tensors (A [r, In], B [Out, r], m [Out]), e.g. from a PEFT file.
    public init(base: any LinearLayer, a: Tensor, b: Tensor, magnitude: Tensor, scaling: Float, dropout: Float,
                dropoutRNG: RandomGenerator) {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == base.inFeatures && b.shape[0] == base.outFeatures
                     && a.shape[0] == b.shape[1] && magnitude.shape == [base.outFeatures],
                     "DoRALinear: A \(a.shape), B \(b.shape), m \(magnitude.shape) do not fit a base of \(base.inFeatures) → \(base.outFeatures)")
        precondition(dropout >= 0 && dropout < 1, "DoRALinear: dropout \(dropout) must be in [0, 1)")
        self.base = base
        loraA = a; loraB = b; self.magnitude = magnitude
        for t in [a, b, magnitude] { t.requiresGrad = true }
        self.scaling = scaling
        self.dropout = dropout
        rng = dropoutRNG
    }

    public var adapterTensors: [(String, Tensor)] {
        [("lora_A.weight", loraA), ("lora_B.weight", loraB), ("lora_magnitude_vector", magnitude)]
    }
    public var namedTensors: [(String, Tensor)] { base.namedTensors + adapterTensors }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = base(x)
        if merged { return y }
        let w = Tensor(Self.denseWeight(base), shape: [outFeatures, inFeatures])
        let norm = Tensor(Self.rowNorms(withoutGrad { w + loraB.matmul(loraA) * scaling }.scalars, rows: outFeatures),
                          shape: [outFeatures])
        let g = magnitude / norm
        let active = training && dropout > 0
        let xd = active ? x.dropout(dropout, rng: rng) : x
        let baseResult: Tensor
        if active {
            baseResult = xd.linear(w)
        } else if let bias = Self.bias(base) {
            baseResult = y - bias
        } else {
            baseResult = y
        }
        let lora = xd.linear(loraA).linear(loraB) * scaling
        return y + (g - 1) * baseResult + g * lora
    }

    /// V = W + s·B·A and g = m / ‖V‖ per row, outside any graph.
    private func decomposition(_ w: Tensor) -> (v: Tensor, g: [Float]) {
        withoutGrad {
            let v = w + loraB.matmul(loraA) * scaling
            return (v, zip(magnitude.scalars, Self.rowNorms(v.scalars, rows: outFeatures)).map { $0 / $1 })
        }
    }

    /// g ⊙ (W + s·B·A) (PEFT's merge).
    public func mergedWeight(base w: Tensor) -> Tensor {
        let (v, g) = decomposition(w)
        return withoutGrad { v * Tensor(g, shape: [outFeatures, 1]) }
    }

    public func merge(name: String = "layer") throws {
        guard !merged else { throw LoRAError.mergeState(expectedMerged: false) }
        let linear = try floatBase(name)
        let scale = decomposition(linear.weight).g
        let w = try checkedMergedWeight(name)
        linear.weight.data.update(from: w.data, count: w.count)
        mergedScale = scale
        merged = true
    }

    /// W = W' / g − s·B·A with the g of the merge.
    public func unmerge(name: String = "layer") throws {
        guard merged, let g = mergedScale else { throw LoRAError.mergeState(expectedMerged: true) }
        let linear = try floatBase(name)
        let restored = withoutGrad { linear.weight * Tensor(g.map { 1 / $0 }, shape: [outFeatures, 1]) - loraB.matmul(loraA) * scaling }
        linear.weight.data.update(from: restored.data, count: restored.count)
        mergedScale = nil
        merged = false
    }

    // MARK: the base's weight

    /// The base weight [Out, In] as Float32 (a 4-bit base dequantized).
    static func denseWeight(_ base: any LinearLayer) -> [Float] {
        switch base {
        case let l as Linear: return l.weight.scalars
        case let q as QuantizedLinear: return q.weight.dequantize()
        default: preconditionFailure("DoRALinear: a \(type(of: base)) base has no readable weight")
        }
    }

    static func bias(_ base: any LinearLayer) -> Tensor? {
        switch base {
        case let l as Linear: return l.bias
        case let q as QuantizedLinear: return q.bias
        default: return nil
        }
    }

    /// Euclidean norm of each of the `rows` rows of a row-major matrix, summed in Double.
    static func rowNorms(_ w: [Float], rows: Int) -> [Float] {
        precondition(rows > 0 && w.count % rows == 0, "rowNorms: \(w.count) values in \(rows) rows")
        let cols = w.count / rows
        return (0..<rows).map { r in
            var s = 0.0
            for j in 0..<cols { let v = Double(w[r * cols + j]); s += v * v }
            return Float(s.squareRoot())
        }
    }
}
