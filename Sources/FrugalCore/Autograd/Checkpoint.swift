// Checkpoint — activation (gradient) checkpointing for one block, as in Chen et al. 2016 and
// torch.utils.checkpoint: the forward runs without recording, keeping only the block's inputs; the
// backward recomputes the block's forward with recording on and backpropagates through it.
//
// Parameters used inside `body` are leaves, so the inner backward accumulates their gradients
// directly. Randomness inside `body` (dropout) must replay identically: pass the generator, and its
// state is saved before the forward and restored for the recomputation.
extension Tensor {
    /// Applies `body` to `inputs` under activation checkpointing and returns its output.
    public static func checkpoint(_ inputs: [Tensor], rng: RandomGenerator? = nil,
                                  _ body: @escaping ([Tensor]) -> Tensor) -> Tensor {
        guard GradMode.isEnabled else { return body(inputs) }
        let rngState = rng?.state
        let out = withoutGrad { body(inputs) }
        // Always record: parameters inside `body` may need gradients even when the inputs do not.
        out.requiresGrad = true
        out.node = Node(op: "checkpoint", inputs: inputs) { g in
            let saved = rng?.state
            if let s = rngState { rng?.state = s }
            let detached = inputs.map { x -> Tensor in
                let d = x.detach(); d.requiresGrad = x.requiresGrad; return d
            }
            let recomputed = withGrad { body(detached) }
            if let s = saved { rng?.state = s }
            if recomputed.requiresGrad { recomputed.backward(g) }
            return detached.map { $0.requiresGrad ? $0.grad : nil }
        }
        return out
    }
}
