// The 4-bit linear layer: forward equals x · dequant(W)ᵀ computed naively, the input gradient equals
// dY · dequant(W), the weight gets no gradient, and no full-size Float32 copy of W is ever alive.
import XCTest
import FrugalCore
@testable import FrugalQuant

final class Linear4BitTests: XCTestCase {
    func naiveCheck(out: Int, inF: Int, rows: Int, type: FourBitType, doubleQuant: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let rng = RandomGenerator(seed: UInt64(out * 31 + inF))
        let wv = (0..<(out * inF)).map { _ in rng.normal() * 0.05 }
        let q = try QuantizedBlockwise4Bit.quantize(wv, shape: [out, inF], type: type, blockSize: 64, doubleQuant: doubleQuant)
        let wd = q.dequantizeReference().map(Double.init)
        let x = Tensor.randn([rows, inF], rng: rng, requiresGrad: true)
        let bias = Tensor.randn([out], rng: rng)
        let y = x.linear4Bit(q, bias: bias)
        XCTAssertEqual(y.shape, [rows, out])
        let xs = x.scalars.map(Double.init)
        for r in 0..<rows { for o in 0..<out {
            var s = Double(bias.data[o])
            for i in 0..<inF { s += xs[r * inF + i] * wd[o * inF + i] }
            XCTAssertEqual(Double(y.data[r * out + o]), s, accuracy: 1e-4 + 1e-4 * abs(s), "y[\(r), \(o)]", file: file, line: line)
        } }
        let gy = Tensor.randn([rows, out], rng: rng)
        y.backward(gy)
        let gys = gy.scalars.map(Double.init)
        for r in 0..<rows { for i in 0..<inF {
            var s = 0.0
            for o in 0..<out { s += gys[r * out + o] * wd[o * inF + i] }
            XCTAssertEqual(Double(x.grad!.data[r * inF + i]), s, accuracy: 1e-4 + 1e-4 * abs(s), "dx[\(r), \(i)]", file: file, line: line)
        } }
    }

    func testForwardAndInputGradientMatchNaiveOnRaggedTiles() throws {
        // With tiles of at most 256K floats, in = 1536 allows 170 rows: 577 rows become 4 tiles of
        // 145, 145, 145 and 142 rows.
        let saved = Tensor.tileElements
        defer { Tensor.tileElements = saved }
        Tensor.tileElements = 1 << 18
        XCTAssertEqual(Tensor.linear4BitTileRows(1536, out: 577), 145)
        try naiveCheck(out: 577, inF: 1536, rows: 3, type: .nf4, doubleQuant: true)
        try naiveCheck(out: 300, inF: 96, rows: 5, type: .fp4, doubleQuant: false)
        try naiveCheck(out: 7, inF: 64, rows: 1, type: .nf4, doubleQuant: false)
    }

    func testNoFullSizeFloat32WeightIsAlive() throws {
        let (out, inF) = (4096, 1024)
        let rng = RandomGenerator(seed: 1)
        let q = try QuantizedBlockwise4Bit.quantize((0..<(out * inF)).map { _ in rng.normal() }, shape: [out, inF],
                                                    type: .nf4, blockSize: 64, doubleQuant: true)
        let x = Tensor.randn([4, inF], rng: rng, requiresGrad: true)
        let base = MemoryStats.current
        MemoryStats.resetPeak()
        let y = x.linear4Bit(q)
        y.sum().backward()
        let peak = MemoryStats.peak - base
        let fullWeight = out * inF * 4                       // 16 MiB
        XCTAssertLessThan(peak, fullWeight / 3, "peak \(peak) bytes")   // one 4 MiB tile, y, dX
        XCTAssertLessThanOrEqual(Tensor.linear4BitTileRows(inF, out: out) * inF, Tensor.tileElements)
        XCTAssertGreaterThan(peak, 4 * out * 4)              // at least y itself was counted
    }
}
