// SkinnyGemm's three products (the AVX-512 kernels where the CPU has them, and the sgemm fallback)
// equal the naive product on shapes with every kind of tail: rows not a multiple of the kernels' row
// blocks, ranks not a multiple of 8, widths not a multiple of 16 or 32, row strides wider than the
// rows, β 0 and 1, α ≠ 1. "Equal" is within the textbook forward-error bound of a float dot product
// (Higham): |got − exact| ≤ (terms + 2)·u·(|α|·Σ|a·b| + |β·c|), u = 2⁻²⁴, as BLAS libraries sum in
// different orders (oneDNN's sgemm fallback and the kernels do); a wrong or missing term is far out.
import XCTest
@testable import FrugalCore

final class SkinnyGemmTests: XCTestCase {
    private func random(_ count: Int, _ rng: RandomGenerator) -> [Float] { (0..<count).map { _ in rng.uniform() * 2 - 1 } }

    /// The naive product (accumulated in Double) and, per element, its error bound for `terms` products.
    private func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                           b: [Float], ldb: Int, beta: Float, c0: [Float], ldc: Int) -> (want: [Float], bound: [Float]) {
        var want = c0, mag = c0.map(abs)
        Gemm.naive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                   beta: beta, c: &want, ldc: ldc)
        Gemm.naive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: abs(alpha), a: a.map(abs), lda: lda,
                   b: b.map(abs), ldb: ldb, beta: abs(beta), c: &mag, ldc: ldc)
        let u = Float(1) / Float(1 << 24)
        return (want, mag.map { Float(k + 2) * u * $0 })
    }

    private func check(_ name: String, _ got: [Float], _ ref: (want: [Float], bound: [Float]),
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, ref.want.count)
        var worst: Float = 0   // error over its bound, worst element
        for i in 0..<got.count {
            let err = abs(got[i] - ref.want[i])
            worst = max(worst, err == 0 ? 0 : err / Swift.max(ref.bound[i], .leastNormalMagnitude))
        }
        XCTAssertLessThanOrEqual(worst, 1, name, file: file, line: line)
    }

    /// Runs `body` with the AVX-512 kernels (where the CPU has AVX-512) and with the sgemm fallback.
    private func bothPaths(_ body: (String) -> Void) {
        let saved = SkinnyGemm.enabled
        defer { SkinnyGemm.enabled = saved }
        SkinnyGemm.enabled = true
        body(CPUFeatures.useAVX512 ? "avx512" : "fallback (no AVX-512 here)")
        SkinnyGemm.enabled = false
        body("sgemm")
    }

    let shapes: [(n: Int, r: Int, k: Int)] = [(1, 1, 1), (7, 3, 20), (33, 8, 48), (64, 24, 576), (130, 13, 70), (5, 40, 33), (300, 8, 1536)]

    func testDotRowsEqualsNaive() {
        let rng = RandomGenerator(seed: 5)
        for (n, r, k) in shapes {
            let ldx = k + 3, ldw = k + 1, ldc = r + 2
            let x = random(n * ldx, rng), w = random(r * ldw, rng), c0 = random(n * ldc, rng)
            for beta: Float in [0, 1] {
                let want = reference(transA: false, transB: true, m: n, n: r, k: k, alpha: 0.7, a: x, lda: ldx, b: w, ldb: ldw,
                                     beta: beta, c0: c0, ldc: ldc)
                bothPaths { path in
                    var got = c0
                    SkinnyGemm.dotRows(n: n, r: r, k: k, alpha: 0.7, x: x, ldx: ldx, w: w, ldw: ldw, beta: beta, c: &got, ldc: ldc)
                    check("dotRows \(path) n\(n) r\(r) k\(k) β\(beta)", got, want)
                }
            }
        }
    }

    func testAccumulateTransposedEqualsNaive() {
        let rng = RandomGenerator(seed: 6)
        for (n, r, k) in shapes {
            let ldu = r + 2, ldx = k + 5, ldd = k + 1
            let u = random(n * ldu, rng), x = random(n * ldx, rng), d0 = random(r * ldd, rng)
            for beta: Float in [0, 1] {
                let want = reference(transA: true, transB: false, m: r, n: k, k: n, alpha: 1.5, a: u, lda: ldu, b: x, ldb: ldx,
                                     beta: beta, c0: d0, ldc: ldd)
                bothPaths { path in
                    var got = d0
                    SkinnyGemm.accumulateT(r: r, k: k, n: n, alpha: 1.5, u: u, ldu: ldu, x: x, ldx: ldx, beta: beta, d: &got, ldd: ldd)
                    check("accumulateT \(path) n\(n) r\(r) k\(k) β\(beta)", got, want)
                }
            }
        }
    }

    func testUpProjectionBackwardPairEqualsNaive() {
        // du = α·G·Wᵀ and D = α·Uᵀ·G from one pass over G in row panels: panels that do not divide
        // the rows, fewer rows than a panel, strided operands.
        let rng = RandomGenerator(seed: 8)
        let savedPanel = SkinnyGemm.panelRows
        defer { SkinnyGemm.panelRows = savedPanel }
        for panel in [32, 5] {
            SkinnyGemm.panelRows = panel
            for (n, r, k) in shapes + [(70, 8, 200), (512, 24, 192)] {
                let ldg = k + 3, ldw = k + 1, ldc = r + 2, ldu = r + 4, ldd = k + 5
                let g = random(n * ldg, rng), w = random(r * ldw, rng), u = random(n * ldu, rng)
                let c0 = random(n * ldc, rng), d0 = random(r * ldd, rng)
                let wantC = reference(transA: false, transB: true, m: n, n: r, k: k, alpha: 0.7, a: g, lda: ldg, b: w, ldb: ldw,
                                      beta: 0, c0: c0, ldc: ldc)
                let wantD = reference(transA: true, transB: false, m: r, n: k, k: n, alpha: 0.7, a: u, lda: ldu, b: g, ldb: ldg,
                                      beta: 0, c0: d0, ldc: ldd)
                bothPaths { path in
                    var c = c0, d = d0
                    SkinnyGemm.dotRowsAndAccumulateT(n: n, r: r, k: k, alpha: 0.7, g: g, ldg: ldg, w: w, ldw: ldw, c: &c, ldc: ldc,
                                                     u: u, ldu: ldu, d: &d, ldd: ldd)
                    check("du \(path) panel \(panel) n\(n) r\(r) k\(k)", c, wantC)
                    check("dBᵀ \(path) panel \(panel) n\(n) r\(r) k\(k)", d, wantD)
                }
            }
        }
    }

    func testCombineRowsEqualsNaive() {
        let rng = RandomGenerator(seed: 7)
        for (n, r, k) in shapes {
            let ldu = r + 3, ldw = k + 2, ldc = k + 7
            let u = random(n * ldu, rng), w = random(r * ldw, rng), c0 = random(n * ldc, rng)
            for beta: Float in [0, 1] {
                let want = reference(transA: false, transB: false, m: n, n: k, k: r, alpha: -0.5, a: u, lda: ldu, b: w, ldb: ldw,
                                     beta: beta, c0: c0, ldc: ldc)
                bothPaths { path in
                    var got = c0
                    SkinnyGemm.combineRows(n: n, r: r, k: k, alpha: -0.5, u: u, ldu: ldu, w: w, ldw: ldw, beta: beta, c: &got, ldc: ldc)
                    check("combineRows \(path) n\(n) r\(r) k\(k) β\(beta)", got, want)
                }
            }
        }
    }
}
