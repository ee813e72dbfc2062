// BnbConfigJSON: config.json read and written exactly as transformers writes it
// (json.dumps(indent=2, sort_keys=True) + "\n"), and quantization_config read back.
import Foundation
import XCTest
@testable import FrugalIO

final class BnbConfigJSONTests: XCTestCase {
    func testFixtureConfigsRoundTripByteForByte() throws {
        for dir in ["tiny_bf16", "tiny_bf16_nf4_dq", "tiny_f32", "tiny_f32_fp4", "tiny_f32_int8"] {
            let bytes = Array(try Data(contentsOf: Fixture.url("bnb/\(dir)/config.json")))
            let v = try BnbConfigJSON.parse(bytes)
            XCTAssertEqual(v.pythonConfigText, String(decoding: bytes, as: UTF8.self), dir)
        }
    }

    func testPythonSpelling() throws {
        let v = try BnbConfigJSON.parse(Array(#"{"b": [1, 2.0, 1e-06, 0.02, 1E+20, -0], "a": {}, "c": [], "d": "é/😀\n\u0001", "e": null, "f": true}"#.utf8))
        XCTAssertEqual(v.pythonConfigText, """
            {
              "a": {},
              "b": [
                1,
                2.0,
                1e-06,
                0.02,
                1e+20,
                0
              ],
              "c": [],
              "d": "\\u00e9/\\ud83d\\ude00\\n\\u0001",
              "e": null,
              "f": true
            }

            """)
        // Surrogate pairs and escapes read back to the same string.
        let s = try BnbConfigJSON.parse(Array(#""\ud83d\ude00\/\t""#.utf8))
        XCTAssertEqual(s, .string("😀/\t"))
    }

    func testSettingReplacesInPlace() throws {
        let v = try BnbConfigJSON.parse(Array(#"{"x": 1, "y": 2}"#.utf8))
        XCTAssertEqual(v.setting("x", to: .int("3")), .object([("x", .int("3")), ("y", .int("2"))]))
        XCTAssertEqual(v.setting("z", to: .null)["z"], .null)
    }

    func testMalformedJSON() {
        for bad in [#"{"a": 1,}"#, #"{"a" 1}"#, "[1 2]", "01", #""abc"#, "{}x", #"{"a": tru}"#, #""\x""#] {
            XCTAssertThrowsError(try BnbConfigJSON.parse(Array(bad.utf8)), bad) { XCTAssertTrue($0 is BnbConfigJSON.ParseError, bad) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        XCTAssertThrowsError(try BnbConfigJSON.parse(Array(deep.utf8)))
    }

    func testQuantizationConfigRead() throws {
        func read(_ dir: String) throws -> BnbQuantizationConfig? {
            let path = Fixture.path("bnb/\(dir)/config.json")
            return try BnbQuantizationConfig.read(from: try BnbConfigJSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))), path: path)
        }
        XCTAssertNil(try read("tiny_bf16"))
        XCTAssertEqual(try read("tiny_bf16_nf4_dq"), BnbQuantizationConfig(mode: .fourBit(.nf4, doubleQuant: true), computeDType: .bfloat16))
        XCTAssertEqual(try read("tiny_f32_fp4"), BnbQuantizationConfig(mode: .fourBit(.fp4, doubleQuant: false), computeDType: .float32))
        XCTAssertEqual(try read("tiny_f32_int8")?.mode, .eightBit)
        // What Frugal writes is what transformers wrote.
        let nf4 = try BnbConfigJSON.parse(Array(try Data(contentsOf: Fixture.url("bnb/tiny_bf16_nf4_dq/config.json"))))
        XCTAssertEqual(nf4["quantization_config"]?.pythonConfigText,
                       BnbQuantizationConfig(mode: .fourBit(.nf4, doubleQuant: true), computeDType: .bfloat16).json.pythonConfigText)
        let gptq = BnbConfigJSON.object([("quantization_config", .object([("quant_method", .string("gptq"))]))])
        XCTAssertThrowsError(try BnbQuantizationConfig.read(from: gptq, path: "c.json")) {
            guard case BnbCheckpointError.unsupportedQuantization = $0 else { return XCTFail("\($0)") }
        }
    }
}
