// The seed's claims about quantization error, measured on seeded normal weights (std 0.02, like a
// trained layer): NF4's error is lower than FP4's (both blockwise, 4 bits); with one outlier in the
// tensor, 4-bit NF4 in blocks of 64 beats 8-bit tensor-wise absmax, and blockwise absmax int8 beats
// tensor-wise absmax int8 by more than 10×, because the outlier only spoils its own block's scale.
import XCTest
import FrugalCore
@testable import FrugalQuant

final class QuantErrorClaimsTests: XCTestCase {
    func rmse(_ a: [Float], _ b: [Float]) -> Double {
        (zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(a.count)).squareRoot()
    }

    func testNF4BeatsFP4OnNormalWeights() throws {
        let rng = RandomGenerator(seed: 3)
        let w = (0..<65_536).map { _ in rng.normal() * 0.02 }
        let nf4 = try QuantizedBlockwise4Bit.quantize(w, shape: [256, 256], type: .nf4, blockSize: 64).dequantize()
        let fp4 = try QuantizedBlockwise4Bit.quantize(w, shape: [256, 256], type: .fp4, blockSize: 64).dequantize()
        XCTAssertLessThan(rmse(w, nf4), rmse(w, fp4))
    }

    func testWithAnOutlierNF4BlockwiseBeatsTensorwiseInt8AndBlockwiseBeatsTensorwise() throws {
        let rng = RandomGenerator(seed: 4)
        var w = (0..<65_536).map { _ in rng.normal() * 0.02 }
        w[1234] = 40   // one outlier, 2000 standard deviations out
        let nf4 = try QuantizedBlockwise4Bit.quantize(w, shape: [256, 256], type: .nf4, blockSize: 64).dequantize()
        let tensorwise = try AbsmaxInt8.quantize(w)
        let blockwise = try AbsmaxInt8.quantize(w, blockSize: 64)
        let eTensor = rmse(w, tensorwise.dequantize()), eBlock = rmse(w, blockwise.dequantize())
        XCTAssertLessThan(rmse(w, nf4), eTensor, "4-bit blockwise NF4 against 8-bit tensor-wise absmax")
        XCTAssertLessThan(eBlock, eTensor / 10, "blockwise absmax confines the outlier to its block")
    }
}
