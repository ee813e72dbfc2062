// Decoding the default model with its block linears in 4 bits (fused GEMV) and its head in 8 bits
// gives the logits of the same 4-bit model run through the training path (dequantize-then-sgemm,
// Float32 head): the cached, token-by-token path changes only rounding and the head's 8-bit error.
import XCTest
import FrugalCore
import FrugalIO
@testable import FrugalModels

final class QuantizedDecodingTests: XCTestCase {
    func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var num = 0.0, den = 0.0
        for i in 0..<a.count { num += Double(a[i] - b[i]) * Double(a[i] - b[i]); den += Double(b[i]) * Double(b[i]) }
        return (num / den).squareRoot()
    }

    func testFourBitDecodingMatchesTheFullSequencePath() throws {
        let model: DecoderModel
        do { model = try DecoderModel.load("default") } catch {
            XCTFail("the default model is missing: \(DefaultModel.advice)"); return
        }
        try model.quantizeBlockLinears()
        let ids: [Int32] = [1, 504, 3458, 282, 4649, 314, 1345, 30, 378, 3458, 282, 8104]   // any text's ids
        let v = model.config.vocabSize
        let full = withoutGrad { model.logits(ids: ids, batch: 1) }   // tiles + sgemm, Float32 head
        let fullRows = (0..<ids.count).map { Array(UnsafeBufferPointer(start: full.data + $0 * v, count: v)) }
        // Float32 head, 4-bit GEMV one token at a time.
        var cache = KVCache(config: model.config, maxTokens: ids.count)
        _ = model.nextTokenLogits(Array(ids.prefix(4)), cache: cache)   // a prompt (tile path) first
        for t in 4..<ids.count {
            let step = model.nextTokenLogits([ids[t]], cache: cache)
            XCTAssertLessThan(relativeError(step, fullRows[t]), 1e-4, "position \(t), Float32 head")
        }
        // The 8-bit head on top.
        try model.quantizeHeadForDecoding()
        cache = KVCache(config: model.config, maxTokens: ids.count)
        _ = model.nextTokenLogits(Array(ids.prefix(4)), cache: cache)
        for t in 4..<ids.count {
            let step = model.nextTokenLogits([ids[t]], cache: cache)
            let err = relativeError(step, fullRows[t])
            XCTAssertLessThan(err, 1e-2, "position \(t), 8-bit head")
            XCTAssertGreaterThan(err, 1e-7, "the 8-bit head must actually be in use")
            XCTAssertEqual(step.indices.max { step[$0] < step[$1] }, fullRows[t].indices.max { fullRows[t][$0] < fullRows[t][$1] },
                           "argmax at position \(t)")
        }
    }
}
