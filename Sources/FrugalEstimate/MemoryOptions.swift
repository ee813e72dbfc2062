// MemoryOptions — the knobs of a memory/FLOPs estimate: training method, compute dtype,
// optimizer, LoRA rank and targets, batch and sequence length, gradient checkpointing — and the
// typed errors for options that do not fit the model. Defaults follow PEFT / HF Trainer:
// rank 8, targets all-linear (every linear layer in the blocks, not the head), AdamW with fp32
// states, bf16 compute, adapters kept in fp32 (PEFT's autocast_adapter_dtype). `engine` picks whose
// storage is itemized: PyTorch's (the default, for the published claims) or Frugal's own.
import FrugalSpec

/// Whose tensor engine a training-memory estimate describes.
public enum MemoryEngine: String, Codable, Sendable, CaseIterable {
    /// PyTorch + transformers + PEFT (+ bitsandbytes for QLoRA), as the papers measure it.
    case pytorch
    /// Frugal's own engine (all fp32, its autograd's lifetimes): predicts MemoryStats' peak.
    case frugal
}

public enum TrainingMethod: String, Codable, Sendable, CaseIterable {
    case full, lora, qlora
}

public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case adamw, adamw8bit
}

/// Activation / compute dtype. For `full` training, 16-bit means mixed precision with an fp32
/// master copy of the weights.
public enum ComputeDType: String, Codable, Sendable, CaseIterable {
    case fp32, bf16, fp16
    public var bytes: Double { self == .fp32 ? 4 : 2 }
}

public struct TrainingOptions: Codable, Equatable, Sendable {
    public var method: TrainingMethod
    public var batch: Int
    public var seqLen: Int
    public var dtype: ComputeDType
    public var optimizer: OptimizerKind
    public var rank: Int
    public var targets: [String]                // module names or short forms (q_proj, q), or ["all-linear"]
    public var gradientCheckpointing: Bool
    public var adapterDType: ComputeDType       // LoRA A/B and their gradients (qlora.py uses bf16)
    public var baseFormat: WeightFormat         // QLoRA base: nf4-dq (default) or nf4
    public var engine: MemoryEngine             // whose storage is itemized (memory only)
    public var loraDropout: Double              // LoRA dropout probability (frugal engine: > 0 keeps a 1-bit mask per module)

    public init(method: TrainingMethod, batch: Int = 1, seqLen: Int = 512, dtype: ComputeDType = .bf16,
                optimizer: OptimizerKind = .adamw, rank: Int = 8, targets: [String] = ["all-linear"],
                gradientCheckpointing: Bool = false, adapterDType: ComputeDType = .fp32,
                baseFormat: WeightFormat = .nf4DoubleQuant, engine: MemoryEngine = .pytorch, loraDropout: Double = 0) {
        self.method = method
        self.batch = batch
        self.seqLen = seqLen
        self.dtype = dtype
        self.optimizer = optimizer
        self.rank = rank
        self.targets = targets
        self.gradientCheckpointing = gradientCheckpointing
        self.adapterDType = adapterDType
        self.baseFormat = baseFormat
        self.engine = engine
        self.loraDropout = loraDropout
    }

    enum CodingKeys: String, CodingKey {
        case method, batch, seqLen, dtype, optimizer, rank, targets, gradientCheckpointing, adapterDType, baseFormat, engine
        case loraDropout
    }

    /// As synthesized, except that a missing `engine` means pytorch and a missing `loraDropout` 0
    /// (JSON written before they existed).
    public init(from decoder: Decoder) throws {
        let k = try decoder.container(keyedBy: CodingKeys.self)
        self.init(method: try k.decode(TrainingMethod.self, forKey: .method), batch: try k.decode(Int.self, forKey: .batch),
                  seqLen: try k.decode(Int.self, forKey: .seqLen), dtype: try k.decode(ComputeDType.self, forKey: .dtype),
                  optimizer: try k.decode(OptimizerKind.self, forKey: .optimizer), rank: try k.decode(Int.self, forKey: .rank),
                  targets: try k.decode([String].self, forKey: .targets),
                  gradientCheckpointing: try k.decode(Bool.self, forKey: .gradientCheckpointing),
                  adapterDType: try k.decode(ComputeDType.self, forKey: .adapterDType),
                  baseFormat: try k.decode(WeightFormat.self, forKey: .baseFormat),
                  engine: try k.decodeIfPresent(MemoryEngine.self, forKey: .engine) ?? .pytorch,
                  loraDropout: try k.decodeIfPresent(Double.self, forKey: .loraDropout) ?? 0)
    }

    /// The module names LoRA wraps for `config`; throws for a name the architecture lacks. Targets are
    /// read by FrugalSpec's LoRATargetNames (full names, short forms q,k,v,…, lists, all-linear), the
    /// reading `frugal finetune` uses.
    public func loraModules(for config: ModelConfig) throws -> Set<String> {
        guard method != .full else { return [] }
        var available: [String] = []
        for m in config.linearModules.map(\.module) where !available.contains(m) { available.append(m) }
        do throws(LoRATargetNames.ResolveError) {
            return Set(try LoRATargetNames.resolve(targets, modules: available))
        } catch .unknown(let name, _) {
            throw EstimateError.unknownTarget(name, available: LoRATargetNames.validNames(available))
        } catch .empty {
            throw EstimateError.invalidOption("--targets", "name at least one module")
        }
    }

    /// Checks ranges so every product stays meaningful.
    public func validate() throws {
        if batch < 1 || batch > 1 << 20 { throw EstimateError.invalidOption("--batch", "must be in 1...\(1 << 20)") }
        if seqLen < 1 || seqLen > 1 << 24 { throw EstimateError.invalidOption("--seq-len", "must be in 1...\(1 << 24)") }
        if method != .full && (rank < 1 || rank > 1 << 16) {
            throw EstimateError.invalidOption("--rank", "must be in 1...\(1 << 16)")
        }
        if method == .qlora && baseFormat != .nf4 && baseFormat != .nf4DoubleQuant {
            throw EstimateError.invalidOption("base format", "QLoRA stores the base in nf4 or nf4-dq")
        }
    }
}

public enum EstimateError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownTarget(String, available: [String])
    case invalidOption(String, String)

    public var description: String {
        switch self {
        case let .unknownTarget(name, available):
            return "LoRA target \"\(name)\" is not a linear module of this model; use one of "
                + "\(available.joined(separator: ", ")) or all-linear"
        case let .invalidOption(option, reason):
            return "\(option): \(reason)"
        }
    }
}
