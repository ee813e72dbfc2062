// Checkpoint — activation (gradient) checkpointing for one block, as in Chen et al. 2016 and
// torch.utils.checkpoint: the forward runs without recording, keeping only the block's inputs; the
// backward recomputes the block's forward with recording on and backpropagates through it.
//
// During the recomputation `Tensor.isRecomputingCheckpoint` is true: the body may then wrap the
// ops that only make its output in `withoutForwardValues` — the backward never reads the output's
// values, only its graph (DecoderBlock skips its last projection and residual add this way).
//
// Parameters used inside `body` are leaves, so the inner backward accumulates their gradients
// directly. Randomness inside `body` (dropout) must replay identically: pass the generator, and its
// state is saved before the forward and restored for the recomputation.
extension Tensor {
    /// True while a checkpointed body is being recomputed for its backward.
    nonisolated(unsafe) public internal(set) static var isRecomputingCheckpoint = false
    /// True inside `withoutForwardValues`: ops record their graph but skip computing their values.
    nonisolated(unsafe) public internal(set) static var skipsForwardValues = false

    /// Runs `body` so that its ops (matmul/linear, linear4Bit, addingLowRank, elementwise binary
    /// ops) record the graph for backward but leave their outputs uninitialized. Only for results
    /// nobody reads: the output of a recomputed block, whose backward needs its graph alone.
    public static func withoutForwardValues<R>(_ body: () throws -> R) rethrows -> R {
        let was = skipsForwardValues
        skipsForwardValues = true
        defer { skipsForwardValues = was }
        return try body()
    }

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
            let wasRecomputing = Tensor.isRecomputingCheckpoint
            Tensor.isRecomputingCheckpoint = true
            let recomputed = withGrad { body(detached) }
            Tensor.isRecomputingCheckpoint = wasRecomputing
            if let s = saved { rng?.state = s }
            if recomputed.requiresGrad { recomputed.backward(g) }
            return detached.map { $0.requiresGrad ? $0.grad : nil }
        }
        return out
    }
}
