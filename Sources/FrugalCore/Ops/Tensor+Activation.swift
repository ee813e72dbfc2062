// Activations with autograd: SiLU (x·σ(x), Llama's MLP gate) and GELU in its tanh form
// (0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-2's "gelu_new"). Vectorized with FastMath.
extension Tensor {
    public func silu() -> Tensor {
        let out = Tensor.uninitialized(shape)
        Elementwise.map(data, out.data, count, { $0 * FastMath.sigmoid($0) }, { $0 * FastMath.sigmoid($0) })
        let x = self
        return out.recorded("silu", [x]) { g in
            let gx = Tensor.uninitialized(x.shape)
            Elementwise.zip(x.data, g.data, gx.data, x.count, { x, g in
                let s = FastMath.sigmoid(x)
                return g * s * (1 + x * (1 - s))
            }, { x, g in
                let s = FastMath.sigmoid(x)
                return g * s * (1 + x * (1 - s))
            })
            return [gx]
        }
    }

    public func gelu() -> Tensor {
        let c: Float = 0.7978845608028654  // √(2/π)
        let out = Tensor.uninitialized(shape)
        Elementwise.map(data, out.data, count, { x in
            0.5 * x * (1 + FastMath.tanh(c * (x + 0.044715 * x * x * x)))
        }, { x in 0.5 * x * (1 + FastMath.tanh(c * (x + 0.044715 * x * x * x))) })
        let x = self
        return out.recorded("gelu", [x]) { g in
            let gx = Tensor.uninitialized(x.shape)
            Elementwise.zip(x.data, g.data, gx.data, x.count, { x, g in
                let t = FastMath.tanh(c * (x + 0.044715 * x * x * x))
                let dt = c * (1 + 3 * 0.044715 * x * x) * (1 - t * t)
                return g * (0.5 * (1 + t) + 0.5 * x * dt)
            }, { x, g in
                let t = FastMath.tanh(c * (x + 0.044715 * x * x * x))
                let dt = c * (1 + 3 * 0.044715 * x * x) * (1 - t * t)
                return g * (0.5 * (1 + t) + 0.5 * x * dt)
            })
            return [gx]
        }
    }
}
