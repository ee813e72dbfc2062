// Activations with autograd: SiLU (x·σ(x), Llama's MLP gate), SwiGLU (silu(gate) ⊙ up in one
// pass, the Llama MLP's product) and GELU in its tanh form
// (0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-2's "gelu_new"). Vectorized with FastMath;
// SwiGLU runs sixteen lanes wide on an AVX-512 CPU (FrugalAVX512's Exp512, bit-identical values).
#if arch(x86_64)
import FrugalAVX512
#endif

extension Tensor {
    /// silu(self) ⊙ up, same shapes. One pass forward; one pass backward giving both gradients:
    /// d gate = dz·up·σ(g)·(1 + g·(1 − σ(g))), d up = dz·silu(g). Nothing but the two inputs is
    /// saved (the unfused pair keeps silu(gate) as well). Reference: `silu() * up`.
    public func swiglu(_ up: Tensor) -> Tensor {
        precondition(shape == up.shape, "swiglu: gate \(shape) and up \(up.shape) differ")
        let gate = self
        let out = Tensor.uninitialized(shape)
        #if arch(x86_64)
        let wide = CPUFeatures.useAVX512   // FrugalAVX512's Exp512: the same values, sixteen lanes at a time
        #else
        let wide = false
        #endif
        if wide {
            #if arch(x86_64)
            let gp = gate.data, up_ = up.data, op = out.data
            Parallel.forChunks(count, grain: 1 << 15) { r in
                Exp512.swigluForward(gp + r.lowerBound, up_ + r.lowerBound, op + r.lowerBound, r.count)
            }
            #endif
        } else {
            Elementwise.zip(gate.data, up.data, out.data, count, { g, u in g * FastMath.sigmoid(g) * u },
                            { g, u in g * FastMath.sigmoid(g) * u })
        }
        return out.recorded("swiglu", [gate, up]) { dz in
            let dg = Tensor.uninitialized(gate.shape), du = Tensor.uninitialized(up.shape)
            let gp = gate.data, up_ = up.data, zp = dz.data, dgp = dg.data, dup = du.data
            Parallel.forChunks(gate.count, grain: 1 << 15) { r in
                #if arch(x86_64)
                if wide {
                    let o = r.lowerBound
                    Exp512.swigluBackward(gp + o, up_ + o, zp + o, dgp + o, dup + o, r.count)
                    return
                }
                #endif
                var i = r.lowerBound
                while i + 8 <= r.upperBound {
                    let g = UnsafeRawPointer(gp + i).loadUnaligned(as: SIMD8<Float>.self)
                    let u = UnsafeRawPointer(up_ + i).loadUnaligned(as: SIMD8<Float>.self)
                    let z = UnsafeRawPointer(zp + i).loadUnaligned(as: SIMD8<Float>.self)
                    let s = FastMath.sigmoid(g)
                    let silu = g * s
                    UnsafeMutableRawPointer(dgp + i).storeBytes(of: z * u * s * (1 + g * (1 - s)), as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(dup + i).storeBytes(of: z * silu, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < r.upperBound {
                    let g = gp[i], s = FastMath.sigmoid(g)
                    dgp[i] = zp[i] * up_[i] * s * (1 + g * (1 - s))
                    dup[i] = zp[i] * (g * s)   // as the vector loop: dz · silu(g)
                    i += 1
                }
            }
            return [gate.requiresGrad ? dg : nil, up.requiresGrad ? du : nil]
        }
    }

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
