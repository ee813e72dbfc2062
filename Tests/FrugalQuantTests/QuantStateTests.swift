// Tests for BnbQuantState (the quant_state JSON bitsandbytes serializes) and PythonFloatRepr
// against Python's repr/json.dumps (fixture mean_repr.json), and the tensor list FrugalIO writes.
import XCTest
@testable import FrugalQuant

final class QuantStateTests: XCTestCase {
    func testPythonFloatReprMatchesPython() throws {
        let f = try Fixture.load("mean_repr")
        let reprs = try XCTUnwrap(f["reprs"] as? [[String: Any]])
        XCTAssertGreaterThan(reprs.count, 50)
        for r in reprs {
            let d: Double
            if let h = r["f32"] { d = Double(Fixture.f32(h)[0]) } else { d = try XCTUnwrap(Double(r["f64"] as! String)) }
            XCTAssertEqual(PythonFloatRepr.string(d), r["json"] as? String, "json.dumps(\(d))")
            XCTAssertEqual(PythonFloatRepr.string(d), r["repr"] as? String, "repr(\(d))")
        }
        XCTAssertEqual(PythonFloatRepr.string(-0.0), "-0.0")
        XCTAssertEqual(PythonFloatRepr.string(-.infinity), "-Infinity")
        XCTAssertEqual(PythonFloatRepr.string(-2.5e-7), "-2.5e-07")
    }

    func testJSONRoundTripsAndMatchesBitsandbytesLayout() throws {
        let state = BnbQuantState(quantType: .nf4, blockSize: 64, dtype: .bfloat16, shape: [576, 576],
                                  nested: .init(offset: 0.0123))
        XCTAssertEqual(state.json, "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [576, 576], "
                       + "\"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": 0.012299999594688416}")
        XCTAssertEqual(state.keySuffix, "quant_state.bitsandbytes__nf4")
        XCTAssertEqual(try BnbQuantState.parse(state.jsonBytes), state)
        let plain = BnbQuantState(quantType: .fp4, blockSize: 128, dtype: .float32, shape: [3])
        XCTAssertEqual(plain.json, "{\"quant_type\": \"fp4\", \"blocksize\": 128, \"dtype\": \"float32\", \"shape\": [3]}")
        XCTAssertEqual(try BnbQuantState.parse(plain.jsonBytes), plain)
    }

    func testParsesFixtureStatesExactly() throws {
        let f = try Fixture.load("fourbit")
        for c in try XCTUnwrap(f["cases"] as? [[String: Any]]) {
            let json = c["quant_state_json"] as! String
            let s = try BnbQuantState.parse(Array(json.utf8))
            XCTAssertEqual(s.json, json, "re-serialized")
            if let off = c["offset"] { XCTAssertEqual(s.nested?.offset.bitPattern, Fixture.f32(off)[0].bitPattern) }
        }
    }

    func testBadStatesAreRefusedByName() {
        func fails(_ s: String, _ needle: String) {
            XCTAssertThrowsError(try BnbQuantState.parse(Array(s.utf8))) { XCTAssertTrue("\($0)".contains(needle), "\($0)") }
        }
        fails("not json", "JSON object")
        fails("{\"quant_type\": \"int4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [2]}", "quant_type")
        fails("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\"}", "shape")
        fails("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [2], \"extra\": 1}", "unknown key \"extra\"")
        fails("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"int8\", \"shape\": [2]}", "dtype")
        fails("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [-2]}", "positive")
        fails("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [2], \"nested_blocksize\": 256}", "nested_offset")
    }

    func testTensorListForCheckpoints() throws {
        let x = TestRNG(seed: 4).normalsArray(300)
        let q = try QuantizedBlockwise4Bit.quantize(x, shape: [3, 100], type: .nf4, doubleQuant: true)
        let t = q.tensors
        XCTAssertEqual(t.map(\.key), ["weight", "weight.absmax", "weight.quant_map", "weight.nested_absmax",
                                      "weight.nested_quant_map", "weight.quant_state.bitsandbytes__nf4"])
        XCTAssertEqual(t[0].shape, [150, 1])
        XCTAssertEqual(t[1].dtype, "uint8")
        XCTAssertEqual(t[1].shape, [5])
        XCTAssertEqual(t[2].bytes.count, 64)
        XCTAssertEqual(t[4].bytes.count, 1024)
        XCTAssertEqual(String(decoding: t[5].bytes, as: UTF8.self), q.quantState.json)
        // round trip through the stored pieces
        guard case .doubleQuantized(let d) = q.scales else { return XCTFail() }
        let state = try BnbQuantState.parse(t[5].bytes)
        let rebuilt = try QuantizedBlockwise4Bit(
            type: state.quantType, shape: state.shape, blockSize: state.blockSize, packed: t[0].bytes,
            scales: .doubleQuantized(try DoubleQuantizedAbsmax(codes: t[1].bytes, nestedAbsmax: d.nestedAbsmax,
                                                               offset: state.nested!.offset)),
            dtype: state.dtype)
        XCTAssertEqual(rebuilt, q)
    }
}
