// GradCheck — the test harness for ops: forward against a naive Double reference, and backward
// against central finite differences of that same Double reference (h = 1e-6), which are accurate
// to ~1e-9 — far below Float32 noise — so the analytic Float32 gradient is checked on its own.
import XCTest
@testable import FrugalCore

/// A Double array with a shape: the reference side of every test.
struct DArray {
    var shape: [Int]
    var v: [Double]
    init(_ shape: [Int], _ v: [Double]) { precondition(v.count == shape.reduce(1, *)); self.shape = shape; self.v = v }
    var count: Int { v.count }
}

func randomValues(_ n: Int, _ rng: RandomGenerator, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in rng.normal() * scale }
}

/// Checks forward and backward of `op` on inputs of `shapes`.
/// - reference: the op in Double on the same inputs.
func gradCheck(_ shapes: [[Int]], seed: UInt64 = 1, scale: Float = 1, rtol: Double = 2e-3, atol: Double = 2e-4,
               inputs custom: [[Float]]? = nil, noGrad: Set<Int> = [],
               file: StaticString = #filePath, line: UInt = #line,
               _ op: ([Tensor]) -> Tensor, reference: ([DArray]) -> DArray) {
    let rng = RandomGenerator(seed: seed)
    let values = custom ?? shapes.map { randomValues($0.reduce(1, *), rng, scale: scale) }
    let tensors = zip(values, shapes).enumerated().map { i, vs in
        Tensor(vs.0, shape: vs.1, requiresGrad: !noGrad.contains(i))
    }
    let out = op(tensors)
    let refIn = zip(values, shapes).map { DArray($0.1, $0.0.map(Double.init)) }
    let ref = reference(refIn)
    XCTAssertEqual(out.shape, ref.shape, "forward shape", file: file, line: line)
    assertClose(out.scalars.map(Double.init), ref.v, rtol: rtol, atol: atol, "forward", file: file, line: line)
    // Scalar loss L = Σ out ⊙ W with random W.
    let w = randomValues(out.count, rng)
    let loss = (out * Tensor(w, shape: out.shape)).sum()
    loss.backward()
    let wd = w.map(Double.init)
    func refLoss(_ ins: [DArray]) -> Double { zip(reference(ins).v, wd).reduce(0) { $0 + $1.0 * $1.1 } }
    let h = 1e-6
    for (i, t) in tensors.enumerated() where !noGrad.contains(i) {
        guard let g = t.grad else { XCTFail("input \(i): no gradient", file: file, line: line); continue }
        var numeric = [Double](repeating: 0, count: t.count)
        for j in 0..<t.count {
            var plus = refIn, minus = refIn
            plus[i].v[j] += h; minus[i].v[j] -= h
            numeric[j] = (refLoss(plus) - refLoss(minus)) / (2 * h)
        }
        assertClose(g.scalars.map(Double.init), numeric, rtol: rtol * 5, atol: atol * 5, "gradient of input \(i)", file: file, line: line)
    }
}

func assertClose(_ a: [Double], _ b: [Double], rtol: Double, atol: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
    var worst = 0.0, at = -1
    for i in 0..<min(a.count, b.count) {
        let err = abs(a[i] - b[i]) - (atol + rtol * abs(b[i]))
        if err > worst { worst = err; at = i }
    }
    if at >= 0 {
        XCTFail("\(what): element \(at) is \(a[at]), expected \(b[at]) (|Δ| = \(abs(a[at] - b[at])))", file: file, line: line)
    }
}

/// Compares two float32 results part by part (an output, then each gradient): each element within
/// `rel` × the part's largest magnitude. Two kernels that add the same terms in another order differ
/// by a few float32 roundings of the terms, not of the sum, so an element that cancels to near zero
/// is held to the scale of its part.
func assertPartsClose(_ a: [[Float]], _ b: [[Float]], rel: Double, _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): parts", file: file, line: line)
    for (p, (x, y)) in zip(a, b).enumerated() {
        let scale = Double(y.map { abs($0) }.max() ?? 0)
        assertClose(x.map(Double.init), y.map(Double.init), rtol: 0, atol: rel * Swift.max(scale, 1e-30),
                    "\(what), part \(p)", file: file, line: line)
    }
}

/// Runs `body` once with each sgemm backend this build has (oneDNN and OpenBLAS on x86-64 Linux),
/// then restores the one that was set.
func forEachGemmBackend(_ body: (GemmBackend) -> Void) {
    let saved = Gemm.backend
    defer { Gemm.backend = saved }
    for backend in GemmBackend.allCases where backend.isAvailable {
        Gemm.backend = backend
        body(backend)
    }
}
