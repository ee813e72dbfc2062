// Pretrainer — trains a small Llama-style model from scratch on raw text, byte-level (vocabulary =
// the 256 byte values), on a budget of steps or tokens. It reports every step (loss, tokens, FLOPs)
// through a callback; the caller prints or logs. Used by `frugal pretrain`, the demo, and the
// scaling sweeps.
//
// Batches are windows of T+1 bytes at seeded random offsets of the training split (the first 90%);
// validation loss is the mean over fixed windows of the last 10%. Training FLOPs are
// FrugalEstimate's itemized count for full training of this config at this sequence length
// (forward + backward: input and weight gradients of every matmul, attention over the full T×T
// window, elementwise ops) × tokens — above Kaplan et al. 2020's 6·N at these tiny sizes, where the
// T×T attention and the 256-wide head are a large share.
// `saveModel` writes the trained model as an HF folder (config.json, model.safetensors and the
// byte-level tokenizer.json) that generate, finetune and transformers load.
import Foundation
import FrugalCore
import FrugalSpec
import FrugalModels
import FrugalEstimate
import FrugalText

public struct PretrainOptions: Codable, Equatable, Sendable {
    public var steps: Int = 200
    public var batch: Int = 4
    public var seqLen: Int = 64
    public var lr: Float = 3e-3
    public var warmup: Int = 10
    public var weightDecay: Float = 0.0
    public var maxGradNorm: Float = 1.0
    public var seed: UInt64 = 0
    public var evalEvery: Int = 50
    public var evalWindows: Int = 8
    public init() {}
}

public struct PretrainStep: Sendable {
    public let step: Int
    public let tokens: Int
    public let flops: Double
    public let loss: Float
    public let lr: Float
    public let validLoss: Float?
    public let seconds: Double
}

public enum PretrainError: Error, CustomStringConvertible {
    case corpusTooSmall(bytes: Int, needed: Int)
    public var description: String {
        switch self {
        case let .corpusTooSmall(bytes, needed):
            return "the corpus has \(bytes) bytes; at least \(needed) are needed for training and validation windows of this --seq-len (use a longer text or a smaller --seq-len)"
        }
    }
}

public final class Pretrainer {
    public let model: DecoderModel
    public let options: PretrainOptions
    let train: [Int32], valid: [Int32]
    let rng: RandomGenerator
    /// Training FLOPs per token (forward + backward), from FrugalEstimate's FlopsTraining.
    public let flopsPerToken: Double

    /// Byte-level config: vocabulary 256, tied embeddings.
    public static func byteConfig(hidden: Int, layers: Int, heads: Int, kvHeads: Int, intermediate: Int,
                                  contextLength: Int) -> ModelConfig {
        ModelConfig(architecture: .llama, vocabSize: 256, hiddenSize: hidden, intermediateSize: intermediate,
                    numLayers: layers, numHeads: heads, numKVHeads: kvHeads, maxPositionEmbeddings: contextLength,
                    ropeTheta: 10_000, normEps: 1e-5, tieWordEmbeddings: true)
    }

    public init(config: ModelConfig, corpus: [UInt8], options: PretrainOptions) throws {
        let needed = 2 * (options.seqLen + 1) * 2
        guard corpus.count >= needed else { throw PretrainError.corpusTooSmall(bytes: corpus.count, needed: needed) }
        let split = max(corpus.count * 9 / 10, corpus.count - max(corpus.count / 10, options.seqLen + 1))
        train = corpus[..<split].map { Int32($0) }
        valid = corpus[split...].map { Int32($0) }
        self.options = options
        rng = RandomGenerator(seed: options.seed)
        model = DecoderModel(randomlyInitialized: config, rng: rng)
        let estimate = try? FlopsTraining.estimate(config, TrainingOptions(method: .full, batch: options.batch, seqLen: options.seqLen))
        flopsPerToken = estimate?.total ?? 6 * Double(model.parameterCount)
    }

    /// Parameters that count for compute: with a tied head the embedding table is counted once,
    /// standing for the head's matmul (the lookup itself costs no FLOPs).
    public var computeParameters: Int { model.parameterCount }

    public func run(_ report: (PretrainStep) -> Void) {
        let o = options
        let opt = AdamW(model.trainableTensors.map(\.1), options: .init(lr: o.lr, weightDecay: o.weightDecay))
        let schedule = LRSchedule(kind: .cosine, peak: o.lr, warmup: o.warmup, total: o.steps, minRatio: 0.1)
        let start = Date()
        let tokensPerStep = o.batch * o.seqLen
        for step in 0..<o.steps {
            var ids: [Int32] = [], targets: [Int32] = []
            for _ in 0..<o.batch {
                let at = Int(rng.next() % UInt64(train.count - o.seqLen - 1))
                ids += train[at..<(at + o.seqLen)]
                targets += train[(at + 1)..<(at + o.seqLen + 1)]
            }
            let loss = model.logits(ids: ids, batch: o.batch).crossEntropy(targets: targets)
            opt.zeroGrad()
            loss.backward()
            if o.maxGradNorm > 0 { opt.clipGradientNorm(o.maxGradNorm) }
            let lr = schedule.lr(at: step)
            opt.update(lr: lr)
            let last = step == o.steps - 1
            let validLoss = (last || (o.evalEvery > 0 && (step + 1) % o.evalEvery == 0)) ? validationLoss() : nil
            let tokens = (step + 1) * tokensPerStep
            report(PretrainStep(step: step + 1, tokens: tokens, flops: flopsPerToken * Double(tokens),
                                loss: loss.item, lr: lr, validLoss: validLoss, seconds: Date().timeIntervalSince(start)))
        }
    }

    /// Writes the model as an HF folder at `directory` (replacing an earlier one there): config.json
    /// and model.safetensors through DecoderModel.saveHF, and the byte-level tokenizer.json.
    public func saveModel(to directory: String) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try model.saveHF(to: directory)
        try BPETokenizer.byteVocabularyJSON().write(to: URL(fileURLWithPath: directory).appendingPathComponent("tokenizer.json"))
    }

    /// Mean loss over fixed, evenly spaced windows of the validation split.
    public func validationLoss() -> Float {
        let t = min(options.seqLen, valid.count - 1)
        let windows = max(1, min(options.evalWindows, (valid.count - 1) / t))
        var total: Float = 0
        withoutGrad {
            for w in 0..<windows {
                let at = w * ((valid.count - t - 1) / max(windows, 1))
                let loss = model.logits(ids: Array(valid[at..<(at + t)]), batch: 1)
                    .crossEntropy(targets: Array(valid[(at + 1)..<(at + t + 1)]))
                total += loss.item
            }
        }
        return total / Float(windows)
    }
}
