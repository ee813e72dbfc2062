// LlamaModel+Training — the training forward: logits [B, T, V] for ids [B·T] with optional per-block
// activation checkpointing whose recomputation replays dropout exactly.
//
// It is LlamaModel.logits(ids:batch:checkpointing:) with one difference: the dropout generator is
// handed to `Tensor.checkpoint`, which saves its state before each block's forward and restores it
// for the recomputation, so LoRA dropout masks are the same in both passes (LlamaModel's own path
// passes no generator, which is only right without dropout). A test checks that the two paths give
// bit-identical logits when dropout is off.
import FrugalCore
import FrugalModels

extension LlamaModel {
    /// Logits [B, T, V] for token ids [B·T]; `rng` is the generator of every dropout inside the blocks.
    public func trainingLogits(ids: [Int32], batch: Int, checkpointing: Bool, rng: RandomGenerator?) -> Tensor {
        precondition(batch > 0 && ids.count % batch == 0, "trainingLogits: \(ids.count) ids do not split into batch \(batch)")
        let t = ids.count / batch
        let positions = Array(0..<t)
        var h = Tensor.embedding(embedding, ids: ids, shape: [batch, t])   // [B, T, C]
        for block in blocks {
            if checkpointing {
                h = Tensor.checkpoint([h], rng: rng) { block($0[0], positions: positions) }
            } else {
                h = block(h, positions: positions)
            }
        }
        return h.rmsNorm(weight: finalNorm, eps: Float(config.normEps)).linear(lmHead ?? embedding)
    }
}
