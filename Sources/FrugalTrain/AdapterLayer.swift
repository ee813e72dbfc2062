// AdapterLayer — the seam of adapter methods: a frozen base linear layer plus trainable tensors,
// foldable into the base for inference. As in mlx-lm (`LoRALayer = DoRALinear if use_dora else
// LoRALinear`) and mlx-swift-lm's LoRALayer, a new method is a new type conforming here and a case
// of `AdapterMethod`; `AdapterFactory` is the one place that picks the type. LoRAAdapter (attach,
// detach, merge, PEFT files) and the trainer see only this protocol.
//
// Methods: LoRA (Hu et al. 2021, LoRALinear) and DoRA (Liu et al. 2024, DoRALinear), each with
// PEFT's tensor names and semantics.
import FrugalCore
import FrugalModels

public protocol AdapterLayer: LowRankAdaptedLayer {
    /// The low-rank pair every method here has: lora_A [r, In], lora_B [Out, r], and its scale.
    var loraA: Tensor { get }
    var loraB: Tensor { get }
    var scaling: Float { get }
    /// Dropout (and anything else train-only) is active while true.
    var training: Bool { get set }
    /// Whether the adapter is folded into the base weight.
    var merged: Bool { get }
    /// The adapter's trainable tensors under PEFT's names relative to the module ("lora_A.weight",
    /// "lora_B.weight", "lora_magnitude_vector"), in PEFT's order.
    var adapterTensors: [(String, Tensor)] { get }
    /// The base weight [Out, In] with the adapter folded in (outside any graph): what `merge` stores.
    func mergedWeight(base w: Tensor) -> Tensor
    /// Folds the adapter into a float base (PEFT's safe merge: refuses NaN/Inf and changes nothing).
    func merge(name: String) throws
    /// Takes it out again (exact up to rounding).
    func unmerge(name: String) throws
}

/// The adapter methods Frugal trains and loads (PEFT: `use_dora` picks DoRA).
public enum AdapterMethod: String, Codable, Sendable, CaseIterable {
    case lora, dora
}

public enum AdapterFactory {
    /// A fresh adapter layer of `method` around `base` (PEFT's initialization for the method).
    public static func make(_ method: AdapterMethod, base: any LinearLayer, rank: Int, scaling: Float, dropout: Float,
                            initRNG: RandomGenerator, dropoutRNG: RandomGenerator) -> any AdapterLayer {
        switch method {
        case .lora:
            return LoRALinear(base: base, rank: rank, scaling: scaling, dropout: dropout, initRNG: initRNG, dropoutRNG: dropoutRNG)
        case .dora:
            return DoRALinear(base: base, rank: rank, scaling: scaling, dropout: dropout, initRNG: initRNG, dropoutRNG: dropoutRNG)
        }
    }
}

extension AdapterLayer {
    /// The float base layer a merge writes into, or the reason there is none.
    func floatBase(_ name: String) throws -> Linear {
        guard let linear = base as? Linear else {
            throw LoRAError.cannotMerge(layer: name, reason: "its base is \(type(of: base)), not a float Linear layer")
        }
        return linear
    }

    /// `mergedWeight` of the float base, refused when it holds NaN or ±Inf.
    func checkedMergedWeight(_ name: String) throws -> Tensor {
        let merged = mergedWeight(base: try floatBase(name).weight)
        var bad = 0
        for i in 0..<merged.count where !merged.data[i].isFinite { bad += 1 }
        guard bad == 0 else { throw LoRAError.nonFiniteMerge(layer: name, count: bad) }
        return merged
    }
}
