// safetensors: reading a file written by the Python library (every dtype it has), writing files
// byte-identical to it, and refusing corrupt files with typed errors.
import XCTest
@testable import FrugalIO

final class SafetensorsTests: XCTestCase {
    /// torch dtype names in the fixture JSON -> safetensors dtypes.
    private let torchToST: [String: SafetensorsDType] = [
        "torch.float64": .F64, "torch.float32": .F32, "torch.float16": .F16, "torch.bfloat16": .BF16,
        "torch.float8_e4m3fn": .F8_E4M3, "torch.float8_e5m2": .F8_E5M2, "torch.int64": .I64, "torch.int32": .I32,
        "torch.int16": .I16, "torch.int8": .I8, "torch.uint8": .U8, "torch.bool": .BOOL,
    ]

    private func hex(_ s: String) -> [UInt8] {
        var out = [UInt8](), chars = Array(s.utf8)
        var i = 0
        while i < chars.count { out.append(UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16)!); i += 2 }
        return out
    }

    private func expected() throws -> [String: [String: Any]] {
        try Fixture.json("tensors_safetensors.json") as! [String: [String: Any]]
    }

    func testReadsEveryDTypeWrittenByPython() throws {
        let f = try SafetensorsFile(path: Fixture.path("tensors.safetensors"))
        XCTAssertEqual(f.metadata, ["format": "pt"])
        let exp = try expected()
        XCTAssertEqual(Set(f.tensors.map(\.name)), Set(exp.keys))
        for (name, e) in exp {
            let t = try XCTUnwrap(f.tensor(named: name))
            XCTAssertEqual(t.dtype, torchToST[e["dtype"] as! String], name)
            XCTAssertEqual(t.shape, ints(e["shape"]), name)
            XCTAssertEqual(try f.rawData(name), hex(e["hex"] as! String), name)
            if let values = e["values"] {
                let (shape, data) = try f.loadFloat32(name)
                XCTAssertEqual(shape, t.shape)
                XCTAssertEqual(data, floats(values), name)
            } else {
                XCTAssertThrowsError(try f.loadFloat32(name)) { err in
                    guard case .notAFloatType? = err as? SafetensorsError else { return XCTFail("\(err)") }
                }
            }
        }
        var into = [Float](repeating: 0, count: 6)
        try into.withUnsafeMutableBufferPointer { try f.loadFloat32("bf16", into: $0) }
        XCTAssertEqual(into, try f.loadFloat32("bf16").data)
        XCTAssertEqual(f.tensor(named: "scalar")?.shape, [])
        XCTAssertEqual(try f.loadFloat32("scalar").data, [1.5])
        XCTAssertEqual(f.tensor(named: "empty")?.byteCount, 0)
        XCTAssertThrowsError(try f.loadFloat32("nope")) { err in
            XCTAssertEqual(err as? SafetensorsError, .tensorNotFound(path: f.path, tensor: "nope"))
        }
    }

    func testWriterIsByteIdenticalToPython() throws {
        let exp = try expected()
        let tensors = exp.map { name, e in
            SafetensorsTensor(name: name, dtype: torchToST[e["dtype"] as! String]!, shape: ints(e["shape"]), bytes: hex(e["hex"] as! String))
        }
        let python = [UInt8](try Data(contentsOf: Fixture.url("tensors.safetensors")))
        XCTAssertEqual(try SafetensorsWriter.serialize(tensors, metadata: ["format": "pt"]), python)
        XCTAssertEqual(try SafetensorsWriter.serialize(tensors.reversed(), metadata: ["format": "pt"]), python)
        // And through the atomic file writer.
        let url = temporaryDirectory(self).appendingPathComponent("out.safetensors")
        try SafetensorsWriter.write(tensors.shuffled(), metadata: ["format": "pt"], to: url.path)
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), python)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["out.safetensors"], "no temporary file is left behind")
    }

    func testFloat16AndBFloat16EncodingMatchesTorch() throws {
        let exp = try expected()
        let base = floats(exp["f32"]!["values"])
        XCTAssertEqual(SafetensorsTensor(name: "x", shape: [2, 3], float32: base, as: .F16).bytes, hex(exp["f16"]!["hex"] as! String))
        XCTAssertEqual(SafetensorsTensor(name: "x", shape: [2, 3], float32: base, as: .BF16).bytes, hex(exp["bf16"]!["hex"] as! String))
        XCTAssertEqual(SafetensorsTensor(name: "x", shape: [2, 3], float32: base).bytes, hex(exp["f32"]!["hex"] as! String))
    }

    func testRoundTripAndPaddingAndEscaping() throws {
        let url = temporaryDirectory(self).appendingPathComponent("rt.safetensors")
        let weird = "a\"b\\c\n\u{01}é"
        let values: [Float] = [1, -2, 3.5, .infinity, -0.0, 1e-30]
        try SafetensorsWriter.write([SafetensorsTensor(name: weird, shape: [2, 3], float32: values),
                                     SafetensorsTensor(name: "u", dtype: .U8, shape: [3], bytes: [1, 2, 3])],
                                    metadata: ["b": "2", "a": "1"], to: url.path)
        let f = try SafetensorsFile(path: url.path)
        XCTAssertEqual(f.metadata, ["a": "1", "b": "2"])
        XCTAssertEqual(try f.loadFloat32(weird).data.map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(try f.rawData("u"), [1, 2, 3])
        XCTAssertEqual(f.bufferOffset % 8, 0, "header padded to a multiple of 8")
        XCTAssertEqual(SafetensorsWriter.jsonString("\u{01}\t"), "\"\\u0001\\t\"")
        XCTAssertThrowsError(try SafetensorsWriter.serialize([SafetensorsTensor(name: "d", dtype: .U8, shape: [1], bytes: [0]),
                                                              SafetensorsTensor(name: "d", dtype: .U8, shape: [1], bytes: [1])]))
    }

    // MARK: corrupt files

    private lazy var dir = temporaryDirectory(self)

    /// A file with `header` as JSON and `buffer` bytes after it.
    private func file(header: String, buffer: Int = 0, claimedLength: UInt64? = nil) -> String {
        var b = [UInt8]()
        let h = Array(header.utf8)
        withUnsafeBytes(of: (claimedLength ?? UInt64(h.count)).littleEndian) { b += $0 }
        b += h + [UInt8](repeating: 0, count: buffer)
        let url = dir.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
        try! Data(b).write(to: url)
        return url.path
    }

    private func error(_ path: String, _ f: StaticString = #filePath, _ l: UInt = #line) -> SafetensorsError? {
        do { _ = try SafetensorsFile(path: path); XCTFail("opened a bad file", file: f, line: l); return nil } catch let e as SafetensorsError {
            XCTAssertTrue(e.description.contains(path), "message names the file: \(e)", file: f, line: l)
            return e
        } catch { XCTFail("untyped \(error)", file: f, line: l); return nil }
    }

    private func entry(_ name: String = "t", dtype: String = "F32", shape: String = "[2]", offsets: String = "[0,8]") -> String {
        "{\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
    }

    func testShortFileAndHeaderLengthPastEOF() {
        let short = dir.appendingPathComponent("short.safetensors")
        try! Data([1, 2, 3]).write(to: short)
        guard case .truncated? = error(short.path) else { return XCTFail() }
        guard case .truncated(_, _, let needed, _)? = error(file(header: entry(), buffer: 8, claimedLength: 5000)) else { return XCTFail() }
        XCTAssertEqual(needed, 5000)
        guard case .headerTooLarge? = error(file(header: "{}", claimedLength: 1 << 60)) else { return XCTFail() }
    }

    func testNotJSONOrNotAnObject() {
        guard case .badHeader? = error(file(header: "[1,2]")) else { return XCTFail() }
        guard case .badHeader? = error(file(header: "{\"t\":")) else { return XCTFail() }
        guard case .badHeader? = error(file(header: "{\"__metadata__\":{\"a\":1}}")) else { return XCTFail() }
        guard case .badHeader? = error(file(header: entry(shape: "[1.5]"))) else { return XCTFail() }
        guard case .badHeader? = error(file(header: "{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", buffer: 8)) else { return XCTFail() }
    }

    func testUnknownDTypeAndBadShapes() {
        XCTAssertEqual(error(file(header: entry(dtype: "F12"), buffer: 8)).map { "\($0)" }?.contains("unknown dtype \"F12\""), true)
        guard case .badShape? = error(file(header: entry(shape: "[-2]"), buffer: 8)) else { return XCTFail() }
        guard case .badShape? = error(file(header: entry(shape: "[4294967296,4294967296,16]"), buffer: 8)) else { return XCTFail() }
        guard case .badShape? = error(file(header: entry(dtype: "F4", shape: "[3]", offsets: "[0,2]"), buffer: 2)) else { return XCTFail() }
    }

    func testBadOffsets() {
        guard case .badOffsets? = error(file(header: entry(offsets: "[0,8]"), buffer: 4)) else { return XCTFail("past end") }
        guard case .badOffsets? = error(file(header: entry(offsets: "[8,0]"), buffer: 8)) else { return XCTFail("decreasing") }
        guard case .badOffsets? = error(file(header: entry(offsets: "[0,4]"), buffer: 4)) else { return XCTFail("size mismatch") }
        guard case .badOffsets? = error(file(header: entry(offsets: "[0]"), buffer: 8)) else { return XCTFail("one offset") }
        guard case .badOffsets? = error(file(header: entry(offsets: "[-8,0]"), buffer: 8)) else { return XCTFail("negative") }
        guard case .badOffsets? = error(file(header: entry(shape: "[1125899906842624]", offsets: "[0,4503599627370496]"), buffer: 8))
        else { return XCTFail("huge") }
    }

    func testOverlapsAndHoles() {
        let two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        guard case .overlappingTensors? = error(file(header: two, buffer: 12)) else { return XCTFail() }
        let hole = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"
        guard case .bufferNotCovered? = error(file(header: hole, buffer: 12)) else { return XCTFail() }
        guard case .bufferNotCovered? = error(file(header: entry(), buffer: 16)) else { return XCTFail("trailing bytes") }
    }
}
