// Rotary position embedding (Su et al. 2021) in the rotate-half form that transformers' Llama
// applies (`apply_rotary_pos_emb`): with x = [x1, x2] split at D/2 and θᵢ = p / base^(2i/D),
//   y1 = x1·cos θ − x2·sin θ,   y2 = x2·cos θ + x1·sin θ.
// Shapes: x [B, T, H, D] (heads after tokens, straight from the projection), positions [T] shared
// by the rows, or [B·T], one per token (packed rows, where each example restarts at 0).
// inv_freq and the angles are computed in Float32 as transformers does.
import Foundation

public struct RoPETable: Sendable {
    public let headDim: Int
    public let base: Float
    let invFreq: [Float]

    public init(headDim: Int, base: Float) {
        precondition(headDim % 2 == 0, "RoPE: head size \(headDim) must be even")
        self.headDim = headDim
        self.base = base
        invFreq = Self.inverseFrequencies(headDim: headDim, base: base)
    }

    /// A table with given inverse frequencies [D/2] (scaled RoPE, e.g. Llama 3's).
    public init(headDim: Int, base: Float, invFreq: [Float]) {
        precondition(headDim % 2 == 0 && invFreq.count == headDim / 2,
                     "RoPE: \(invFreq.count) frequencies for head size \(headDim)")
        self.headDim = headDim
        self.base = base
        self.invFreq = invFreq
    }

    /// θᵢ per position step: 1 / base^(2i/D), i < D/2, in Float32 as transformers computes it.
    public static func inverseFrequencies(headDim: Int, base: Float) -> [Float] {
        (0..<(headDim / 2)).map { i in 1 / powf(base, Float(2 * i) / Float(headDim)) }
    }

    /// cos and sin tables [R, D/2] and, for each of the given positions, its row. Rows are the
    /// values lo…hi of the positions when there are no more of them than positions (packed rows
    /// repeat 0, 1, 2, …, so B·T positions need only a row per distinct one), else one per position.
    /// Every layer of a forward pass asks for the same positions, so the last few answers are kept
    /// (`RoPETableCache`): 128 positions of a 64-wide head are 8192 sinf/cosf calls, ~0.15 ms that
    /// 60 rope calls per training step (q and k of 30 layers) paid again each time.
    func tables(_ positions: [Int]) -> (cos: [Float], sin: [Float], row: [Int]) {
        if let hit = RoPETableCache.shared.lookup(invFreq: invFreq, positions: positions) { return hit }
        let made = computeTables(positions)
        RoPETableCache.shared.store(invFreq: invFreq, positions: positions, made)
        return made
    }

    /// `tables` without the cache.
    func computeTables(_ positions: [Int]) -> (cos: [Float], sin: [Float], row: [Int]) {
        let half = headDim / 2
        let lo = positions.min() ?? 0, hi = positions.max() ?? -1
        let byValue = hi - lo + 1 <= positions.count
        let values = byValue ? Array(lo...hi) : positions
        var c = [Float](repeating: 0, count: values.count * half), s = c
        for (t, p) in values.enumerated() {
            for i in 0..<half {
                let a = Float(p) * invFreq[i]
                c[t * half + i] = cosf(a); s[t * half + i] = sinf(a)
            }
        }
        return (c, s, byValue ? positions.map { $0 - lo } : Array(positions.indices))
    }
}

/// The last few RoPE tables, keyed by the frequencies (head size, base and scaling) and positions
/// (compared in full). Thread-safe.
final class RoPETableCache: @unchecked Sendable {
    typealias Tables = (cos: [Float], sin: [Float], row: [Int])
    static let shared = RoPETableCache()
    private let lock = NSLock()
    private var entries: [(invFreq: [Float], positions: [Int], tables: Tables)] = []
    private let capacity = 4

    func lookup(invFreq: [Float], positions: [Int]) -> Tables? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.invFreq == invFreq && $0.positions == positions }?.tables
    }

    func store(invFreq: [Float], positions: [Int], _ tables: Tables) {
        lock.lock(); defer { lock.unlock() }
        entries.insert((invFreq, positions, tables), at: 0)
        if entries.count > capacity { entries.removeLast() }
    }
}

extension Tensor {
    public func rope(_ table: RoPETable, positions: [Int]) -> Tensor {
        precondition(rank == 4 && shape[3] == table.headDim && (shape[1] == positions.count || shape[0] * shape[1] == positions.count),
                     "rope: input \(shape) must be [B, T, H, \(table.headDim)] with \(positions.count) positions (T or B·T)")
        let (cosT, sinT, row) = table.tables(positions)
        let out = Tensor.uninitialized(shape)
        Tensor.rotate(data, out.data, shape, cosT, sinT, row, inverse: false)
        let inShape = shape
        return out.recorded("rope", [self]) { g in
            let gx = Tensor.uninitialized(inShape)
            Tensor.rotate(g.data, gx.data, inShape, cosT, sinT, row, inverse: true)
            return [gx]
        }
    }

    /// The rotation (or its transpose, for the gradient) applied to every (b, t, h) vector, with
    /// the angles of table row `row[t]` (T positions shared by the rows) or `row[b·T + t]` (B·T).
    static func rotate(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ shape: [Int],
                       _ cosT: [Float], _ sinT: [Float], _ row: [Int], inverse: Bool) {
        let bsz = shape[0], t = shape[1], h = shape[2], d = shape[3], half = d / 2
        let sgn: Float = inverse ? -1 : 1
        let perToken = row.count == bsz * t
        cosT.withUnsafeBufferPointer { cp in sinT.withUnsafeBufferPointer { sp in row.withUnsafeBufferPointer { rp in
            let pc = cp.baseAddress!, ps = sp.baseAddress!, rows = rp.baseAddress!
            Parallel.forEach(bsz * t, grain: 8) { bt in
                let tt = rows[perToken ? bt : bt % t]
                let c = pc + tt * half, s = ps + tt * half
                for hh in 0..<h {
                    let base = (bt * h + hh) * d
                    let x1 = x + base, x2 = x + base + half, y1 = y + base, y2 = y + base + half
                    for i in 0..<half {
                        let a = x1[i], b = x2[i]
                        y1[i] = a * c[i] - sgn * b * s[i]
                        y2[i] = b * c[i] + sgn * a * s[i]
                    }
                }
            }
        } } }
    }
}
