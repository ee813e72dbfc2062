// LoRAAdapter — one set of adapter layers (LoRA or DoRA, through AdapterLayer / AdapterFactory)
// attached to a DecoderModel's projections: attach (wrap the
// targeted projections of every block, freezing the whole base), detach (put the base layers back),
// merge / unmerge, and the adapter's tensors under PEFT's file names
// (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`, peft `utils/save_and_load.py`
// with the adapter name removed).
//
// Swapping adapters on one base: `a.detach(); try b.attach(to: model)`. An adapter remembers the
// base layer of each slot and refuses to attach where that base is not in place.
// Freezing sets `requiresGrad = false` on every base tensor; detaching does not unfreeze.
// Leaves out: several adapters active at once, modules_to_save, per-layer ranks.
import FrugalCore
import FrugalModels

public final class LoRAAdapter {
    /// One wrapped projection: its transformers module path and its layer.
    public struct Entry {
        /// e.g. "model.layers.0.self_attn.q_proj".
        public let path: String
        public let block: Int
        public let target: LoRATarget
        public let layer: any AdapterLayer
    }

    public let config: LoRAConfig
    public let entries: [Entry]
    /// The generator for dropout masks; its state is part of a training checkpoint.
    public let dropoutRNG: RandomGenerator
    public private(set) weak var model: DecoderModel?

    /// The prefix PEFT puts before the model's own names in adapter files.
    public static let peftPrefix = "base_model.model."

    /// Builds fresh adapter layers for `model` (A drawn from a generator seeded with `seed`, B = 0)
    /// and attaches them. Dropout masks come from a second generator derived from the same seed.
    public static func attach(to model: DecoderModel, config: LoRAConfig, seed: UInt64) throws -> LoRAAdapter {
        let targets = try config.validated()
        let initRNG = RandomGenerator(seed: seed)
        let dropoutRNG = RandomGenerator(seed: seed ^ 0xD80F_0D80_F0D8_0F0D)
        var entries: [Entry] = []
        for (i, block) in model.blocks.enumerated() {
            for t in targets {
                let path = "model.layers.\(i).\(t.modulePath(in: model.config.family))"
                let current = block.linear(t.role)
                if current is any AdapterLayer { throw LoRAError.alreadyAdapted(layer: path) }
                let layer = AdapterFactory.make(config.method, base: current, rank: config.rank, scaling: config.scaling,
                                                dropout: config.dropout, initRNG: initRNG, dropoutRNG: dropoutRNG)
                entries.append(Entry(path: path, block: i, target: t, layer: layer))
            }
        }
        let adapter = LoRAAdapter(config: config, entries: entries, dropoutRNG: dropoutRNG)
        try adapter.attach(to: model)
        return adapter
    }

    init(config: LoRAConfig, entries: [Entry], dropoutRNG: RandomGenerator) {
        self.config = config
        self.entries = entries
        self.dropoutRNG = dropoutRNG
    }

    /// Installs this adapter's layers in `model` (which must hold the base layers they wrap) and
    /// freezes every base tensor.
    public func attach(to model: DecoderModel) throws {
        for e in entries {
            guard e.block < model.blocks.count else { throw LoRAError.baseMismatch(layer: e.path) }
            let current = model.blocks[e.block].linear(e.target.role)
            if current === e.layer { continue }
            if current is any AdapterLayer { throw LoRAError.alreadyAdapted(layer: e.path) }
            guard current === e.layer.base else { throw LoRAError.baseMismatch(layer: e.path) }
        }
        for e in entries { model.blocks[e.block].setLinear(e.target.role, e.layer) }
        let own = Set(tensors.map { ObjectIdentifier($0) })
        for (_, t) in model.namedTensors where !own.contains(ObjectIdentifier(t)) { t.requiresGrad = false }
        for t in tensors { t.requiresGrad = true }
        self.model = model
    }

    /// Puts the base layers back into the model. The adapter keeps its weights and can be attached again.
    public func detach() {
        guard let model else { return }
        for e in entries where model.blocks[e.block].linear(e.target.role) === e.layer {
            model.blocks[e.block].setLinear(e.target.role, e.layer.base)
        }
        self.model = nil
    }

    public var isAttached: Bool { model != nil }

    /// The trainable tensors of every layer (A, B; DoRA's magnitudes), in order.
    public var tensors: [Tensor] { namedTensors.map(\.1) }

    /// The adapter's tensors under the model's names ("model.layers.0.self_attn.q_proj.lora_A.weight").
    public var namedTensors: [(String, Tensor)] {
        entries.flatMap { e in e.layer.adapterTensors.map { ("\(e.path).\($0.0)", $0.1) } }
    }

    /// The adapter's tensors under PEFT's adapter-file names ("base_model.model.model.layers.0….lora_A.weight").
    public var peftNamedTensors: [(String, Tensor)] { namedTensors.map { (Self.peftPrefix + $0.0, $0.1) } }

    /// Number of trainable parameters (PEFT's "trainable params").
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// Turns dropout on or off in every layer.
    public func setTraining(_ on: Bool) { for e in entries { e.layer.training = on } }

    public var isMerged: Bool { entries.first?.layer.merged ?? false }

    /// Folds the adapter into every base weight. All-or-nothing: every layer's merged weight is checked
    /// for NaN/Inf before any weight changes.
    public func merge() throws {
        guard !isMerged else { throw LoRAError.mergeState(expectedMerged: false) }
        for e in entries { _ = try e.layer.checkedMergedWeight(e.path) }
        for e in entries { try e.layer.merge(name: e.path) }
    }

    /// Merges and then detaches: the model is left with plain layers whose weights include the
    /// adapter (PEFT's merge_and_unload). The adapter keeps its A and B.
    public func fuse() throws {
        try merge()
        detach()
    }

    /// Takes every layer's adapter out of its base weight again.
    public func unmerge() throws {
        guard isMerged else { throw LoRAError.mergeState(expectedMerged: true) }
        for e in entries { try e.layer.unmerge(name: e.path) }
    }
}
