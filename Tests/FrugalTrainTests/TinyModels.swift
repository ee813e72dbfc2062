// Tiny random Llama configurations and data shared by the FrugalTrain tests.
import FrugalCore
import FrugalSpec
import FrugalModels
@testable import FrugalTrain

enum Tiny {
    static func config(layers: Int = 2, tied: Bool = false) -> ModelConfig {
        ModelConfig(architecture: .llama, vocabSize: 256, hiddenSize: 48, intermediateSize: 96,
                    numLayers: layers, numHeads: 6, numKVHeads: 2, maxPositionEmbeddings: 256,
                    ropeTheta: 10_000, normEps: 1e-5, tieWordEmbeddings: tied)
    }

    static func model(seed: UInt64 = 1, layers: Int = 2, tied: Bool = false) -> DecoderModel {
        DecoderModel(randomlyInitialized: config(layers: layers, tied: tied), rng: RandomGenerator(seed: seed))
    }

    /// Deterministic pseudo-random ids.
    static func ids(_ n: Int, seed: Int) -> [Int32] { (0..<n).map { Int32(($0 * 37 + seed * 101 + 7) % 256) } }

    /// B rows of T+1 bytes of `text` starting at staggered offsets, shifted into a batch.
    static func textBatch(_ text: String, rows: Int, t: Int, start: Int = 0) -> TokenBatch {
        let bytes = Array(text.utf8).map { Int32($0) }
        let seqs = (0..<rows).map { r -> [Int32] in
            let at = (start + r * 5) % (bytes.count - t - 1)
            return Array(bytes[at...(at + t)])
        }
        return TokenBatch(sequences: seqs)
    }

    static let text = "Frugal fine-tunes small language models with LoRA on the hardware people already have."

    /// Sets every lora_B of `adapter` to scale·N(0, 1) draws from a generator seeded `seed` (B starts
    /// at zero; non-zero B gives A gradients and the adapter an effect).
    static func randomizeB(_ adapter: LoRAAdapter, seed: UInt64, scale: Float) {
        let rng = RandomGenerator(seed: seed)
        for e in adapter.entries { for i in 0..<e.layer.loraB.count { e.layer.loraB.data[i] = scale * rng.normal() } }
    }

    /// Copies of every tensor's values, by name.
    static func snapshot(_ tensors: [(String, Tensor)]) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, $0.1.scalars) })
    }
}
