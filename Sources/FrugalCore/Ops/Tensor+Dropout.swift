// Dropout (Srivastava et al. 2014), inverted: kept elements are scaled by 1/(1−p) during training,
// so evaluation is the identity. The mask comes from the caller's seeded generator, so a run (and
// a checkpointed recomputation that restores the generator) repeats exactly.
//
// The mask (`dropoutBits`): one 64-bit seed is drawn from the generator per mask, and element i's
// draw is 16 bits of a counter-based hash — the SplitMix64 sequence from that seed, each output
// giving four draws — so the words of the mask come in parallel over the cores, and a mask of
// any size advances the generator by exactly one draw. Element i is dropped when its draw is below
// round(p·65536): p in steps of 1/65536. (One xoshiro uniform per element, drawn in order, cost
// 2.5 ns an element: a quarter of a QLoRA step with LoRA dropout 0.05 on all seven projections.)
// The mask is kept as bits, one per element (⌈count/32⌉ floats' bytes, so MemoryStats counts it),
// and applied by `applyDropoutBits`, eight elements per vector step. `dropoutBitsReference` is the
// same mask one element at a time (the tests compare).
import FrugalRandom

extension Tensor {
    public func dropout(_ p: Float, rng: RandomGenerator, training: Bool = true) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: probability \(p) must be in [0, 1)")
        guard training && p > 0 else { return self }
        let keep = Tensor.dropoutBits(count: count, p: p, rng: rng)
        let scale = 1 / (1 - p)
        let out = Tensor.uninitialized(shape)
        Tensor.applyDropoutBits(keep, scale: scale, data, into: out.data, count: count)
        return out.recorded("dropout", [self]) { g in
            let gx = Tensor.uninitialized(g.shape)
            Tensor.applyDropoutBits(keep, scale: scale, g.data, into: gx.data, count: g.count)
            return [gx]
        }
    }

    static let splitMixGamma: UInt64 = SplitMix64.gamma

    /// The drop threshold on 16-bit draws: element dropped when its draw < this.
    static func dropoutThreshold(_ p: Float) -> UInt64 { UInt64((Double(p) * 65536).rounded()) }

    /// SplitMix64's output function (Steele et al. 2014).
    @inline(__always)
    static func splitMixFinalize(_ x: UInt64) -> UInt64 { SplitMix64.mix(x) }

    /// Keep-bits of a dropout mask over `count` elements: bit (i mod 32) of word i/32 is set when
    /// element i is kept. Word j takes hashes 8j …< 8j + 8 (hash h = finalize(seed + (h+1)·γ)),
    /// element 32j + 4·lane + q the q-th 16 bits of hash 8j + lane.
    static func dropoutBits(count: Int, p: Float, rng: RandomGenerator) -> Tensor {
        let seed = rng.next()
        let threshold = dropoutThreshold(p)
        let words = (count + 31) / 32
        let t = Tensor.uninitialized([words])
        let w = UnsafeMutableRawPointer(t.data).assumingMemoryBound(to: UInt32.self)
        let gamma = splitMixGamma
        Parallel.forChunks(words, grain: 512) { r in
            for j in r {
                var bits: UInt32 = 0
                var counter = seed &+ UInt64(8 * j + 1) &* gamma
                for lane in 0..<8 {
                    let h = splitMixFinalize(counter)
                    counter &+= gamma
                    // branch-free: four 16-bit draws against the threshold
                    let b0 = UInt32(truncatingIfNeeded: ((h & 0xFFFF) &- threshold) >> 63) ^ 1
                    let b1 = UInt32(truncatingIfNeeded: (((h >> 16) & 0xFFFF) &- threshold) >> 63) ^ 1
                    let b2 = UInt32(truncatingIfNeeded: (((h >> 32) & 0xFFFF) &- threshold) >> 63) ^ 1
                    let b3 = UInt32(truncatingIfNeeded: ((h >> 48) &- threshold) >> 63) ^ 1
                    bits |= (b0 | b1 << 1 | b2 << 2 | b3 << 3) << UInt32(4 * lane)
                }
                let valid = count - 32 * j   // the last word's bits past `count` stay clear
                w[j] = valid >= 32 ? bits : bits & ((1 << UInt32(valid)) - 1)
            }
        }
        return t
    }

    /// The same mask one element at a time, scalar (the reference the tests compare to).
    static func dropoutBitsReference(count: Int, p: Float, rng: RandomGenerator) -> [Bool] {
        let seed = rng.next()
        let threshold = dropoutThreshold(p)
        return (0..<count).map { i in
            let hash = 8 * (i / 32) + (i % 32) / 4, q = i % 4
            var z = seed &+ UInt64(hash + 1) &* splitMixGamma   // SplitMix64, written out
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (z >> UInt64(16 * q)) & 0xFFFF >= threshold
        }
    }

    /// out[i] = bit i ? x[i]·scale : 0 (x and out may be the same buffer); eight elements a step.
    static func applyDropoutBits(_ keep: Tensor, scale: Float, _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                 count: Int) {
        let w = UnsafeRawPointer(keep.data).assumingMemoryBound(to: UInt32.self)
        let shifts = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        let s = SIMD8<Float>(repeating: scale)
        Parallel.forChunks((count + 31) / 32, grain: 1024) { words in
            for j in words {
                let bits = w[j]
                let base = j * 32
                if base + 32 <= count {
                    for q in 0..<4 {
                        let o = base + 8 * q
                        // all ones in the lanes of kept elements, zero elsewhere: a bitwise select
                        let on = SIMD8<UInt32>(repeating: 0) &- ((SIMD8<UInt32>(repeating: bits >> UInt32(8 * q)) &>> shifts) & 1)
                        let v = UnsafeRawPointer(x + o).loadUnaligned(as: SIMD8<Float>.self) * s
                        UnsafeMutableRawPointer(out + o).storeBytes(of: unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & on,
                                                                                      to: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    }
                } else {
                    for i in base..<count { out[i] = (bits >> UInt32(i - base)) & 1 == 1 ? x[i] * scale : 0 }
                }
            }
        }
    }
}
