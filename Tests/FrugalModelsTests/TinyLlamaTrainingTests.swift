// End to end: a 2-layer Llama-style stack (embedding, RMSNorm, GQA attention with RoPE, SwiGLU MLP,
// tied head) trained from scratch with AdamW memorizes a short text, deterministically; the
// checkpointed and cached paths agree with the plain one.
import XCTest
import FrugalCore
import FrugalSpec
@testable import FrugalModels
import FrugalTrain

final class TinyLlamaTrainingTests: XCTestCase {
    static let text = "Frugal trains small language models on the hardware people have."
    static let config = ModelConfig(architecture: .llama, vocabSize: 256, hiddenSize: 48, intermediateSize: 96,
                                    numLayers: 2, numHeads: 6, numKVHeads: 2, maxPositionEmbeddings: 128,
                                    ropeTheta: 10_000, normEps: 1e-5, tieWordEmbeddings: true)

    func train(seed: UInt64, steps: Int) -> [Float] {
        let model = DecoderModel(randomlyInitialized: Self.config, rng: RandomGenerator(seed: seed))
        let bytes = Array(Self.text.utf8).map { Int32($0) }
        let inputs = Array(bytes.dropLast()), targets = Array(bytes.dropFirst())
        let opt = AdamW(model.trainableTensors.map(\.1), options: .init(lr: 1e-2, weightDecay: 0))
        var losses: [Float] = []
        for _ in 0..<steps {
            let loss = model.logits(ids: inputs, batch: 1).crossEntropy(targets: targets)
            losses.append(loss.item)
            opt.zeroGrad()
            loss.backward()
            opt.update()
        }
        return losses
    }

    func testOverfitsAShortTextDeterministically() {
        let a = train(seed: 3, steps: 120)
        // Starts near ln(256) ≈ 5.55 (uniform over bytes) and memorizes the 64-byte text.
        XCTAssertEqual(a[0], log(256), accuracy: 0.3)
        XCTAssertLessThan(a.last!, 0.05, "final loss \(a.last!)")
        let b = train(seed: 3, steps: 120)
        XCTAssertEqual(a, b, "same seed, same losses")
    }

    func testCheckpointedModelGradientsMatch() {
        let model = DecoderModel(randomlyInitialized: Self.config, rng: RandomGenerator(seed: 1))
        let ids: [Int32] = (0..<24).map { Int32(($0 * 37) % 256) }
        let targets: [Int32] = (0..<24).map { Int32(($0 * 11 + 5) % 256) }
        func grads(_ ckpt: Bool) -> [[Float]] {
            for (_, t) in model.namedTensors { t.zeroGrad() }
            model.logits(ids: ids, batch: 2, checkpointing: ckpt).crossEntropy(targets: targets).backward()
            return model.trainableTensors.map { $0.1.grad!.scalars }
        }
        let plain = grads(false), ckpt = grads(true)
        for (p, c) in zip(plain, ckpt) {
            for (x, y) in zip(p, c) { XCTAssertEqual(x, y, accuracy: 1e-5 + 1e-4 * abs(x)) }
        }
    }

    func testCachedDecodingMatchesFullForward() {
        let model = DecoderModel(randomlyInitialized: Self.config, rng: RandomGenerator(seed: 2))
        let ids: [Int32] = [70, 114, 117, 103, 97, 108, 33, 10]
        let full = withoutGrad { model.logits(ids: ids, batch: 1) }
        let cache = KVCache(config: Self.config, maxTokens: 16)
        let prompt = withoutGrad { model.logits(ids: Array(ids[0..<5]), batch: 1, cache: cache) }
        var rows = prompt.scalars
        for i in 5..<ids.count {
            rows += withoutGrad { model.logits(ids: [ids[i]], batch: 1, cache: cache) }.scalars
        }
        XCTAssertEqual(cache.length, ids.count)
        for (x, y) in zip(rows, full.scalars) { XCTAssertEqual(x, y, accuracy: 1e-4) }
    }
}
