// ServedModel — what `frugal serve` serves: one frozen base model, its tokenizer and chat template,
// and any number of LoRA adapters over that same base, each under a name clients select with
// `model`. Adapters are loaded once, detached, and swapped per request on the generation thread
// (`select`): detach the current one, attach the requested one (pointer swaps, no weight copies).
// They stay separate branches — never merged — so swapping never touches the base weights.
//
// Not Sendable: after `init` only GenerationQueue's worker thread touches it (the request
// handlers read only the immutable `ServedModelInfo`).
import Foundation
import FrugalModels
import FrugalText
import FrugalTrain

/// The immutable facts the HTTP handlers need (no tensors): names, context, tokenization.
public struct ServedModelInfo: Sendable {
    /// The base model's id in /v1/models.
    public let baseID: String
    /// Adapter ids, in the order given.
    public let adapterIDs: [String]
    /// Most tokens (prompt + reply) a request may use: the model's max_position_embeddings.
    public let contextLength: Int
    public let created: Int
    /// Every id `model` may name: the base first.
    public var modelIDs: [String] { [baseID] + adapterIDs }
}

public final class ServedModel {
    public let model: DecoderModel
    public let tokenizer: ModelTokenizer
    public let info: ServedModelInfo
    let adapters: [String: LoRAAdapter]
    /// The adapter now attached (nil: the bare base).
    private(set) var current: String?
    /// The model's decoding head as loaded (the 8-bit head of --load-in-4bit, or nil). Decoding
    /// uses it in place of the head, so it is set aside while an adapter that wraps lm_head is in place.
    private let loadedDecodingHead: (any LinearLayer)?

    /// `adapters`: (name, PEFT adapter folder) pairs, loaded onto `model` one at a time and detached.
    public init(model: DecoderModel, tokenizer: ModelTokenizer, baseID: String,
                adapters: [(name: String, directory: String)] = []) throws {
        var loaded: [String: LoRAAdapter] = [:]
        for (name, dir) in adapters {
            guard name != baseID else { throw ServeError.duplicateModelName(name) }
            guard loaded[name] == nil else { throw ServeError.duplicateModelName(name) }
            let adapter = try LoRAAdapter.load(from: dir, into: model)
            adapter.setTraining(false)
            adapter.detach()
            loaded[name] = adapter
        }
        self.model = model
        self.tokenizer = tokenizer
        self.adapters = loaded
        loadedDecodingHead = model.decodingHead
        info = ServedModelInfo(baseID: baseID, adapterIDs: adapters.map { $0.name },
                               contextLength: model.config.maxPositionEmbeddings,
                               created: Int(Date().timeIntervalSince1970))
    }

    /// Puts the named adapter in place (nil: none). Called on the generation thread only.
    func select(adapter name: String?) throws {
        guard name != current else { return }
        if let current, let a = adapters[current] { a.detach() }
        current = nil
        model.decodingHead = loadedDecodingHead
        if let name {
            guard let a = adapters[name] else { throw ServeError.unknownAdapter(name) }
            try a.attach(to: model)
            if a.entries.contains(where: { $0.block == nil }) { model.decodingHead = nil }
            current = name
        }
    }
}

public enum ServeError: Error, CustomStringConvertible {
    case duplicateModelName(String)
    case unknownAdapter(String)
    case badAdapterArgument(String)

    public var description: String {
        switch self {
        case let .duplicateModelName(n): return "the model name '\(n)' is used twice: give each --adapter a distinct NAME (and none the base model's name)"
        case let .unknownAdapter(n): return "no adapter named '\(n)' is loaded"
        case let .badAdapterArgument(a): return "--adapter '\(a)' is not NAME=DIR: write e.g. --adapter pirate=out/pirate-lora"
        }
    }
}
