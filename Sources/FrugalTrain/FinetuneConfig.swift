// FinetuneConfig — the whole configuration of a `frugal finetune` run as one typed value:
// defaults < config file (JSON or YAML, read by the CLI) < command-line flags. The resolved value is
// saved as finetune_config.json in the output folder. Unknown keys in a config file are errors.
//
// Defaults follow PEFT and the QLoRA paper, scaled for a small model on a CPU: QLoRA (NF4 + double
// quantization) on all linear layers, r 16, alpha 16, dropout 0.05, lr 2e-4 with a constant
// schedule after 3% warmup, max grad norm 0.3, no weight decay; micro-batch 2 × accumulation 4.
import Foundation

public struct FinetuneConfig: Codable, Equatable, Sendable {
    /// qlora / lora: LoRA over a 4-bit / Float32 base; qdora / dora: DoRA over a 4-bit / Float32
    /// base; full: every weight.
    public enum Method: String, Codable, Sendable, CaseIterable {
        case qlora, lora, qdora, dora, full

        /// The base is held in 4 bits (NF4 with double quantization).
        public var quantizesBase: Bool { self == .qlora || self == .qdora }
        /// The adapter type, nil for full fine-tuning.
        public var adapter: AdapterMethod? {
            switch self {
            case .qlora, .lora: return .lora
            case .qdora, .dora: return .dora
            case .full: return nil
            }
        }
    }

    public var model: String = "default"
    public var data: String = ""
    public var output: String = ""
    public var method: Method = .qlora
    public var rank: Int = 16
    public var alpha: Float = 16
    public var dropout: Float = 0.05
    public var targets: String = "all-linear"
    public var rslora: Bool = false
    public var lr: Float = 2e-4
    /// Optimizer steps; nil means `epochs` passes over the training data.
    public var steps: Int? = nil
    public var epochs: Double = 1
    /// Warmup steps; nil means 3% of the steps.
    public var warmup: Int? = nil
    public var schedule: LRSchedule.Kind = .constant
    public var weightDecay: Float = 0
    public var maxGradNorm: Float = 0.3
    public var batchSize: Int = 2
    public var gradAccum: Int = 4
    public var gradCheckpointing: Bool = false
    public var maxSeqLen: Int = 256
    public var pack: Bool = false
    public var trainOnPrompt: Bool = false
    public var evalEvery: Int = 0
    public var saveEvery: Int = 0
    public var seed: UInt64 = 0
    /// Refuse to start when the estimated peak exceeds this many bytes (nil: no limit).
    public var memoryLimit: Int? = nil
    /// NF4 block size for QLoRA.
    public var blockSize: Int = 64
    /// A Jinja chat template file that replaces the model's own (for `messages` data).
    public var chatTemplate: String? = nil

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, data, output, method, rank, alpha, dropout, targets, rslora, lr, steps, epochs, warmup, schedule
        case weightDecay = "weight_decay", maxGradNorm = "max_grad_norm", batchSize = "batch_size"
        case gradAccum = "grad_accum", gradCheckpointing = "grad_checkpointing", maxSeqLen = "max_seq_len"
        case pack, trainOnPrompt = "train_on_prompt", evalEvery = "eval_every", saveEvery = "save_every", seed
        case memoryLimit = "memory_limit", blockSize = "block_size", chatTemplate = "chat_template"
    }

    /// Missing keys keep their defaults; unknown keys are refused (a typo must not pass silently).
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, CodingKeys.self, in: "finetune config")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var d = FinetuneConfig()
        func get<T: Decodable>(_ k: CodingKeys, _ v: inout T) throws { if let x = try c.decodeIfPresent(T.self, forKey: k) { v = x } }
        try get(.model, &d.model); try get(.data, &d.data); try get(.output, &d.output); try get(.method, &d.method)
        try get(.rank, &d.rank); try get(.alpha, &d.alpha); try get(.dropout, &d.dropout); try get(.targets, &d.targets)
        try get(.rslora, &d.rslora); try get(.lr, &d.lr); try get(.epochs, &d.epochs); try get(.schedule, &d.schedule)
        try get(.weightDecay, &d.weightDecay); try get(.maxGradNorm, &d.maxGradNorm); try get(.batchSize, &d.batchSize)
        try get(.gradAccum, &d.gradAccum); try get(.gradCheckpointing, &d.gradCheckpointing); try get(.maxSeqLen, &d.maxSeqLen)
        try get(.pack, &d.pack); try get(.trainOnPrompt, &d.trainOnPrompt); try get(.evalEvery, &d.evalEvery)
        try get(.saveEvery, &d.saveEvery); try get(.seed, &d.seed); try get(.blockSize, &d.blockSize)
        d.steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        d.warmup = try c.decodeIfPresent(Int.self, forKey: .warmup)
        d.memoryLimit = try c.decodeIfPresent(Int.self, forKey: .memoryLimit)
        d.chatTemplate = try c.decodeIfPresent(String.self, forKey: .chatTemplate)
        self = d
    }

    // Documented upper bounds: far above any run a CPU can do, low enough that every product the
    // run computes (batch × accumulation × sequence, steps × accumulation) stays far from overflow.
    /// Most optimizer steps (and warmup, eval and save intervals): 2^40.
    public static let maxSteps = 1 << 40
    /// Most passes over the data.
    public static let maxEpochs = 1e6
    /// Most sequences per micro-batch: 2^16.
    public static let maxBatchSize = 1 << 16
    /// Most micro-batches per optimizer step: 2^20.
    public static let maxGradAccum = 1 << 20
    /// Longest sequence: 2^20 tokens.
    public static let maxSequenceLength = 1 << 20
    /// Largest memory limit: 2^60 bytes (1 EiB).
    public static let maxMemoryLimit = 1 << 60

    /// Throws the first invalid field, naming it.
    public func validate() throws {
        func bad(_ f: String, _ v: Any, _ e: String) -> TrainError { .invalidOption(field: f, value: "\(v)", expected: e) }
        if data.isEmpty { throw bad("data", "(none)", "a JSONL file or a folder with train.jsonl") }
        if output.isEmpty { throw bad("output", "(none)", "a folder for the adapter and checkpoints") }
        if rank < 1 || rank > LoRAConfig.maxRank { throw bad("rank", rank, "from 1 to \(LoRAConfig.maxRank)") }
        if !(alpha > 0 && alpha.isFinite) { throw bad("alpha", alpha, "a positive finite number") }
        if !(dropout >= 0 && dropout < 1) { throw bad("dropout", dropout, "in [0, 1)") }
        if !(lr >= 0 && lr.isFinite) { throw bad("lr", lr, "a finite number ≥ 0") }
        if let s = steps, s < 1 || s > Self.maxSteps { throw bad("steps", s, "from 1 to \(Self.maxSteps)") }
        if !(epochs > 0 && epochs <= Self.maxEpochs) { throw bad("epochs", epochs, "a finite positive number of at most \(Int(Self.maxEpochs))") }
        if let w = warmup, w < 0 || w > Self.maxSteps { throw bad("warmup", w, "from 0 to \(Self.maxSteps)") }
        if !(weightDecay >= 0 && weightDecay.isFinite) { throw bad("weight_decay", weightDecay, "a finite number ≥ 0") }
        if !(maxGradNorm >= 0 && maxGradNorm.isFinite) { throw bad("max_grad_norm", maxGradNorm, "a finite number ≥ 0 (0: off)") }
        if batchSize < 1 || batchSize > Self.maxBatchSize { throw bad("batch_size", batchSize, "from 1 to \(Self.maxBatchSize)") }
        if gradAccum < 1 || gradAccum > Self.maxGradAccum { throw bad("grad_accum", gradAccum, "from 1 to \(Self.maxGradAccum)") }
        if maxSeqLen < 2 || maxSeqLen > Self.maxSequenceLength { throw bad("max_seq_len", maxSeqLen, "from 2 to \(Self.maxSequenceLength)") }
        if evalEvery < 0 || evalEvery > Self.maxSteps { throw bad("eval_every", evalEvery, "0 (off) or more, at most \(Self.maxSteps)") }
        if saveEvery < 0 || saveEvery > Self.maxSteps { throw bad("save_every", saveEvery, "0 (only at the end) or more, at most \(Self.maxSteps)") }
        if let m = memoryLimit, m <= 0 || m > Self.maxMemoryLimit { throw bad("memory_limit", m, "a positive number of bytes, at most 2^60") }
        if blockSize < 1 || blockSize > 4096 { throw bad("block_size", blockSize, "from 1 to 4096") }
    }

    /// "4GB", "512MB", "1.5GiB", "1000000" → bytes. Refuses what is not a finite positive size
    /// of at most `maxMemoryLimit` (1e19B, infB, nanGB) instead of trapping on the conversion.
    public static func parseByteSize(_ s: String, field: String = "memory_limit") throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GIB", 1_073_741_824), ("MIB", 1_048_576), ("KIB", 1024), ("TB", 1e12), ("GB", 1e9),
                                         ("MB", 1e6), ("KB", 1e3), ("G", 1e9), ("M", 1e6), ("K", 1e3), ("B", 1)]
        var value: Double?
        if let v = Int(t) { value = Double(v) }
        for (u, m) in units where value == nil && t.hasSuffix(u) {
            if let v = Double(t.dropLast(u.count).trimmingCharacters(in: .whitespaces)) { value = v * m }
        }
        guard let v = value, v.isFinite, v >= 1, v <= Double(maxMemoryLimit) else {
            throw TrainError.invalidOption(field: field, value: s,
                                           expected: "a size such as 4GB, 512MB or 2GiB (positive, finite, at most 1 EiB)")
        }
        return Int(v)
    }
}
