// Dropout (Srivastava et al. 2014), inverted: kept elements are scaled by 1/(1−p) during training,
// so evaluation is the identity. The mask comes from the caller's seeded generator, so a run (and
// a checkpointed recomputation that restores the generator) repeats exactly.
extension Tensor {
    public func dropout(_ p: Float, rng: RandomGenerator, training: Bool = true) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: probability \(p) must be in [0, 1)")
        guard training && p > 0 else { return self }
        let mask = Tensor.uninitialized(shape)
        let scale = 1 / (1 - p)
        for i in 0..<count { mask.data[i] = rng.uniform() < p ? 0 : scale }
        let out = Tensor.uninitialized(shape)
        Elementwise.zip(data, mask.data, out.data, count, { $0 * $1 }, { $0 * $1 })
        return out.recorded("dropout", [self]) { g in
            let gx = Tensor.uninitialized(g.shape)
            Elementwise.zip(g.data, mask.data, gx.data, g.count, { $0 * $1 }, { $0 * $1 })
            return [gx]
        }
    }
}
