// TrainOptions — everything that decides the arithmetic of a fine-tuning run: steps, accumulation,
// optimizer, schedule, clipping, checkpointing, seeds. Saved in every training checkpoint; a resume
// refuses a checkpoint whose options differ (the continued run would not be the same run).
//
// Effective batch = (rows of one micro-batch) × gradAccum. Defaults follow common LoRA practice
// (lr 2e-4, no weight decay, max grad norm 1.0, cosine schedule); QLoRA's paper used max_grad_norm
// 0.3 and a constant schedule.
public struct TrainOptions: Codable, Equatable, Sendable {
    /// Optimizer steps.
    public var steps: Int = 100
    /// Micro-batches accumulated into one optimizer step.
    public var gradAccum: Int = 1
    public var lr: Float = 2e-4
    public var schedule: LRSchedule.Kind = .cosine
    public var warmup: Int = 0
    /// Cosine floor as a fraction of the peak.
    public var minLRRatio: Float = 0
    public var weightDecay: Float = 0
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var eps: Float = 1e-8
    /// Clip the global gradient norm to this; 0 turns clipping off.
    public var maxGradNorm: Float = 1.0
    /// Per-block activation checkpointing.
    public var checkpointing: Bool = false
    /// Seed of the data order.
    public var seed: UInt64 = 0
    /// Visit micro-batches in a seeded random order per epoch (else in the given order).
    public var shuffle: Bool = true
    /// Evaluate every this many steps (and after the last); 0 = only when asked.
    public var evalEvery: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case steps, gradAccum, lr, schedule, warmup, minLRRatio, weightDecay, beta1, beta2, eps, maxGradNorm
        case checkpointing, seed, shuffle, evalEvery
    }

    /// Missing keys take their defaults; unknown keys are refused.
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, CodingKeys.self, in: "training option")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainOptions()
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        gradAccum = try c.decodeIfPresent(Int.self, forKey: .gradAccum) ?? d.gradAccum
        lr = try c.decodeIfPresent(Float.self, forKey: .lr) ?? d.lr
        schedule = try c.decodeIfPresent(LRSchedule.Kind.self, forKey: .schedule) ?? d.schedule
        warmup = try c.decodeIfPresent(Int.self, forKey: .warmup) ?? d.warmup
        minLRRatio = try c.decodeIfPresent(Float.self, forKey: .minLRRatio) ?? d.minLRRatio
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        beta1 = try c.decodeIfPresent(Float.self, forKey: .beta1) ?? d.beta1
        beta2 = try c.decodeIfPresent(Float.self, forKey: .beta2) ?? d.beta2
        eps = try c.decodeIfPresent(Float.self, forKey: .eps) ?? d.eps
        maxGradNorm = try c.decodeIfPresent(Float.self, forKey: .maxGradNorm) ?? d.maxGradNorm
        checkpointing = try c.decodeIfPresent(Bool.self, forKey: .checkpointing) ?? d.checkpointing
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        shuffle = try c.decodeIfPresent(Bool.self, forKey: .shuffle) ?? d.shuffle
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? d.evalEvery
    }

    public var lrSchedule: LRSchedule {
        LRSchedule(kind: schedule, peak: lr, warmup: warmup, total: steps, minRatio: minLRRatio)
    }

    public var adamW: AdamW.Options {
        AdamW.Options(lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    /// Throws the first out-of-range field.
    public func validate() throws {
        func bad(_ f: String, _ v: Any, _ e: String) -> TrainError { .invalidOption(field: f, value: "\(v)", expected: e) }
        if steps < 1 { throw bad("steps", steps, "at least 1") }
        if gradAccum < 1 { throw bad("gradAccum", gradAccum, "at least 1") }
        if !(lr.isFinite && lr > 0) { throw bad("lr", lr, "a positive finite number") }
        if warmup < 0 || warmup > steps { throw bad("warmup", warmup, "between 0 and steps (\(steps))") }
        if !(minLRRatio >= 0 && minLRRatio <= 1) { throw bad("minLRRatio", minLRRatio, "in [0, 1]") }
        if !(weightDecay >= 0 && weightDecay.isFinite) { throw bad("weightDecay", weightDecay, "≥ 0") }
        if !(beta1 >= 0 && beta1 < 1) { throw bad("beta1", beta1, "in [0, 1)") }
        if !(beta2 >= 0 && beta2 < 1) { throw bad("beta2", beta2, "in [0, 1)") }
        if !(eps > 0 && eps.isFinite) { throw bad("eps", eps, "a positive finite number") }
        if !(maxGradNorm >= 0 && maxGradNorm.isFinite) { throw bad("maxGradNorm", maxGradNorm, "≥ 0 (0 = no clipping)") }
        if evalEvery < 0 { throw bad("evalEvery", evalEvery, "≥ 0") }
    }
}
