// LoRAAdapter — one set of adapter layers (LoRA or DoRA, through AdapterLayer / AdapterFactory)
// attached to a DecoderModel's projections: attach (wrap the
// targeted projections of every block, freezing the whole base), detach (put the base layers back),
// merge / unmerge, and the adapter's tensors under PEFT's file names
// (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`, peft `utils/save_and_load.py`
// with the adapter name removed).
//
// Targets are the block projections and, named explicitly, the token embedding (EmbeddingLoRA,
// PEFT's lora_embedding_A/B) and the output head (an adapter layer around it, the model's
// headLayer). Merging either into a head tied to the embedding is refused (the shared matrix would
// change both); the adapter then stays a branch.
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
        /// e.g. "model.layers.0.self_attn.q_proj", or "lm_head".
        public let path: String
        /// The decoder layer, nil for the head.
        public let block: Int?
        public let target: LoRATarget
        public let layer: any AdapterLayer
    }

    public let config: LoRAConfig
    public let entries: [Entry]
    /// The embedding's adapter when embed_tokens is a target (path `model.embed_tokens`).
    public let embedding: EmbeddingLoRA?
    var embeddingPath: String = "model.embed_tokens"
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
        let family = model.config.family
        var entries: [Entry] = []
        func make(_ base: any LinearLayer) -> any AdapterLayer {
            AdapterFactory.make(config.method, base: base, rank: config.rank, scaling: config.scaling,
                                dropout: config.dropout, initRNG: initRNG, dropoutRNG: dropoutRNG)
        }
        for (i, block) in model.blocks.enumerated() {
            for t in targets where t.isBlockLinear {
                let path = "model.layers.\(i).\(t.modulePath(in: family))"
                let current = block.linear(t.role)
                if current is any AdapterLayer { throw LoRAError.alreadyAdapted(layer: path) }
                entries.append(Entry(path: path, block: i, target: t, layer: make(current)))
            }
        }
        if targets.contains(.lmHead) {
            if model.headLayer != nil { throw LoRAError.alreadyAdapted(layer: "lm_head") }
            entries.append(Entry(path: LoRATarget.lmHead.modulePath(in: family), block: nil, target: .lmHead,
                                 layer: make(Linear(weight: model.lmHead ?? model.embedding))))
        }
        var embedding: EmbeddingLoRA? = nil
        if targets.contains(.embedTokens) {
            if model.embeddingBranch != nil { throw LoRAError.alreadyAdapted(layer: "model.embed_tokens") }
            embedding = EmbeddingLoRA(vocab: model.config.vocabSize, hidden: model.config.hiddenSize, rank: config.rank,
                                      scaling: config.scaling, paddingIndex: model.config.padTokenId, initRNG: initRNG)
        }
        let adapter = LoRAAdapter(config: config, entries: entries, embedding: embedding, dropoutRNG: dropoutRNG)
        adapter.embeddingPath = LoRATarget.embedTokens.modulePath(in: family)
        try adapter.attach(to: model)
        return adapter
    }

    init(config: LoRAConfig, entries: [Entry], embedding: EmbeddingLoRA?, dropoutRNG: RandomGenerator) {
        self.config = config
        self.entries = entries
        self.embedding = embedding
        self.dropoutRNG = dropoutRNG
    }

    /// The layer now in an entry's slot.
    private func slot(_ e: Entry, in model: DecoderModel) -> (any LinearLayer)? {
        guard let b = e.block else { return model.headLayer }
        return b < model.blocks.count ? model.blocks[b].linear(e.target.role) : nil
    }

    /// Installs this adapter's layers in `model` (which must hold the base layers they wrap) and
    /// freezes every base tensor.
    public func attach(to model: DecoderModel) throws {
        for e in entries {
            if let b = e.block {
                guard b < model.blocks.count else { throw LoRAError.baseMismatch(layer: e.path) }
                let current = model.blocks[b].linear(e.target.role)
                if current === e.layer { continue }
                if current is any AdapterLayer { throw LoRAError.alreadyAdapted(layer: e.path) }
                guard current === e.layer.base else { throw LoRAError.baseMismatch(layer: e.path) }
            } else {
                if model.headLayer === e.layer { continue }
                if model.headLayer != nil { throw LoRAError.alreadyAdapted(layer: e.path) }
                guard (e.layer.base as? Linear)?.weight === (model.lmHead ?? model.embedding) else {
                    throw LoRAError.baseMismatch(layer: e.path)
                }
            }
        }
        if let embedding, model.embeddingBranch != nil && model.embeddingBranch !== embedding {
            throw LoRAError.alreadyAdapted(layer: embeddingPath)
        }
        for e in entries {
            if let b = e.block { model.blocks[b].setLinear(e.target.role, e.layer) } else { model.headLayer = e.layer }
        }
        if let embedding { model.embeddingBranch = embedding }
        let own = Set(tensors.map { ObjectIdentifier($0) })
        for (_, t) in model.namedTensors where !own.contains(ObjectIdentifier(t)) { t.requiresGrad = false }
        for t in tensors { t.requiresGrad = true }
        self.model = model
    }

    /// Puts the base layers back into the model. The adapter keeps its weights and can be attached again.
    public func detach() {
        guard let model else { return }
        for e in entries where slot(e, in: model) === e.layer {
            if let b = e.block { model.blocks[b].setLinear(e.target.role, e.layer.base) } else { model.headLayer = nil }
        }
        if let embedding, model.embeddingBranch === embedding { model.embeddingBranch = nil }
        self.model = nil
    }

    public var isAttached: Bool { model != nil }

    /// The trainable tensors of every layer (A, B; DoRA's magnitudes), in order.
    public var tensors: [Tensor] { namedTensors.map(\.1) }

    /// The adapter's tensors under the model's names ("model.layers.0.self_attn.q_proj.lora_A.weight").
    public var namedTensors: [(String, Tensor)] {
        entries.flatMap { e in e.layer.adapterTensors.map { ("\(e.path).\($0.0)", $0.1) } }
            + (embedding?.adapterTensors.map { ("\(embeddingPath).\($0.0)", $0.1) } ?? [])
    }

    /// The adapter's tensors under PEFT's adapter-file names ("base_model.model.model.layers.0….lora_A.weight").
    public var peftNamedTensors: [(String, Tensor)] { namedTensors.map { (Self.peftPrefix + $0.0, $0.1) } }

    /// Number of trainable parameters (PEFT's "trainable params").
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// Turns dropout on or off in every layer.
    public func setTraining(_ on: Bool) { for e in entries { e.layer.training = on } }

    public var isMerged: Bool { entries.first?.layer.merged ?? embeddingMerged }

    /// Folds the adapter into every base weight. All-or-nothing: every layer's merged weight is checked
    /// for NaN/Inf before any weight changes.
    public func merge() throws {
        guard !isMerged else { throw LoRAError.mergeState(expectedMerged: false) }
        if let model, model.lmHead == nil, embedding != nil || entries.contains(where: { $0.block == nil }) {
            throw LoRAError.cannotMerge(layer: embedding != nil ? embeddingPath : "lm_head",
                                        reason: "the head is tied to the embedding, so merging would change both")
        }
        for e in entries { _ = try e.layer.checkedMergedWeight(e.path) }
        for e in entries { try e.layer.merge(name: e.path) }
        if let embedding, let model {
            model.embedding.addInPlace(embedding.delta())
            if model.embeddingBranch === embedding { model.embeddingBranch = nil }   // now in the weights
            embeddingMerged = true
        }
    }

    /// Whether the embedding's update is folded into the embedding.
    private var embeddingMerged = false

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
        if embeddingMerged, let embedding, let model {
            model.embedding.addInPlace(embedding.delta(), scale: -1)
            model.embeddingBranch = embedding
            embeddingMerged = false
        }
    }
}
