// GGUFWriter: everything it writes, GGUFFile reads back — every metadata type (arrays of scalars,
// strings and arrays), tensor infos, 32-byte (and custom) alignment, data bytes — and it refuses to
// replace an existing file unless asked, leaving no temporary file behind.
import XCTest
@testable import FrugalIO

final class GGUFWriterTests: XCTestCase {
    func everyValue() -> [(String, GGUFValue)] {
        [("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(60_000)), ("i16", .int16(-30_000)),
         ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("u64", .uint64(UInt64.max)),
         ("i64", .int64(Int64.min)), ("f32", .float32(-1.5e-7)), ("f64", .float64(Double.pi)),
         ("t", .bool(true)), ("f", .bool(false)), ("s", .string("héllo ☃ \n")), ("empty", .string("")),
         ("ai32", .array(.int32, [.int32(1), .int32(-2), .int32(3)])),
         ("astr", .array(.string, [.string("Ġ t"), .string(""), .string("<|im_end|>")])),
         ("af32", .array(.float32, [.float32(0.5), .float32(-.infinity)])),
         ("abool", .array(.bool, [.bool(true), .bool(false)])),
         ("aempty", .array(.string, [])),
         ("nested", .array(.array, [.array(.uint8, [.uint8(1), .uint8(2)]), .array(.uint8, [])]))]
    }

    func testEverythingWrittenReadsBack() throws {
        let dir = temporaryDirectory(self)
        var w = try GGUFWriter()
        for (k, v) in everyValue() { try w.set(k, v) }
        let a: [Float] = (0..<64).map { Float($0) * 0.25 - 3 }
        let b: [Float] = (0..<7).map { Float($0) }
        try w.addTensor(name: "a.weight", shape: [2, 32], type: .f32, float32: a)
        try w.addTensor(name: "b", shape: [7], type: .f32, float32: b)
        try w.addTensor(name: "q", shape: [2, 32], type: .q8_0, float32: a)
        try w.addTensor(name: "h", shape: [1, 3, 2, 32], type: .f16, float32: (0..<192).map { Float($0) })
        let path = dir.appendingPathComponent("m.gguf").path
        try w.write(to: path)

        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.metadataKeys, everyValue().map(\.0))
        for (k, v) in everyValue() { XCTAssertEqual(f.metadata[k], v, k) }
        XCTAssertNil(f.metadata["general.alignment"], "the default alignment is not written (gguf-py)")
        XCTAssertEqual(f.alignment, 32)
        XCTAssertEqual(f.dataOffset % 32, 0)
        XCTAssertEqual(f.tensors.map(\.name), ["a.weight", "b", "q", "h"])
        XCTAssertEqual(f.tensors.map(\.dims), [[32, 2], [7], [32, 2], [32, 2, 3, 1]])
        XCTAssertEqual(f.tensors.map(\.type), [.f32, .f32, .q8_0, .f16])
        for t in f.tensors { XCTAssertEqual(t.offset % 32, 0, t.name) }
        XCTAssertEqual(try f.loadFloat32("a.weight").data, a)
        XCTAssertEqual(try f.loadFloat32("b").data, b)
        XCTAssertEqual(try f.loadFloat32("h").data, (0..<192).map { Float($0) })
        XCTAssertEqual(Array(f.rawBytes(of: f.tensor(named: "q")!)), GGMLQuantize.quantize(a, to: .q8_0))
        XCTAssertEqual(f.fileSize, f.dataOffset + f.tensors.last!.offset + 192 * 2, "the last tensor is padded to 32")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.gguf"], "no temporary file left")
    }

    func testCustomAlignment() throws {
        let dir = temporaryDirectory(self)
        var w = try GGUFWriter(alignment: 64)
        try w.addTensor(name: "x", shape: [3], type: .f32, float32: [1, 2, 3])
        try w.addTensor(name: "y", shape: [32], type: .q4_0, float32: (0..<32).map { Float($0) - 16 })
        let path = dir.appendingPathComponent("a.gguf").path
        try w.write(to: path)
        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.metadata["general.alignment"], .uint32(64))
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f.dataOffset % 64, 0)
        XCTAssertEqual(f.tensor(named: "y")!.offset, 64)
        XCTAssertThrowsError(try GGUFWriter(alignment: 48))
    }

    func testNoTensorsNoPadding() throws {
        var w = try GGUFWriter()
        try w.set("k", .string("v"))
        let h = w.header()
        XCTAssertEqual(h.count, 4 + 4 + 8 + 8 + (8 + 1) + 4 + (8 + 1), "gguf.cpp pads only when there are tensors")
    }

    func testNeverOverwritesUnlessAsked() throws {
        let dir = temporaryDirectory(self)
        let path = dir.appendingPathComponent("x.gguf").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        var w = try GGUFWriter()
        try w.set("a", .uint32(1))
        XCTAssertThrowsError(try w.write(to: path)) { XCTAssertEqual($0 as? GGUFWriteError, .outputExists(path)) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "keep")
        try w.write(to: path, overwrite: true)
        XCTAssertEqual(try GGUFFile(path: path).metadata["a"], .uint32(1))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["x.gguf"])
    }

    func testFailedWriteLeavesNothing() throws {
        let dir = temporaryDirectory(self)
        var w = try GGUFWriter()
        struct Boom: Error {}
        try w.addTensor(name: "x", shape: [4], type: .f32) { throw Boom() }
        XCTAssertThrowsError(try w.write(to: dir.appendingPathComponent("x.gguf").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testRefusals() throws {
        var w = try GGUFWriter()
        try w.set("k", .uint8(1))
        XCTAssertThrowsError(try w.set("k", .uint8(2)))
        try w.replace("k", .uint8(3))
        XCTAssertEqual(w.value("k"), .uint8(3))
        XCTAssertThrowsError(try w.set("mixed", .array(.int32, [.int32(1), .uint8(2)])))
        try w.addTensor(name: "t", shape: [32], type: .q8_0, float32: [Float](repeating: 1, count: 32))
        XCTAssertThrowsError(try w.addTensor(name: "t", shape: [32], type: .f32, float32: [Float](repeating: 1, count: 32)))
        XCTAssertThrowsError(try w.addTensor(name: "u", shape: [2, 16], type: .q8_0, float32: [Float](repeating: 1, count: 32)),
                             "rows must be whole blocks")
        XCTAssertThrowsError(try w.addTensor(name: String(repeating: "n", count: 64), shape: [1], type: .f32, float32: [1]))
        XCTAssertThrowsError(try w.addTensor(name: "five", shape: [1, 1, 1, 1, 1], type: .f32, float32: [1]))
        XCTAssertThrowsError(try w.addTensor(name: "bytes", shape: [4], type: .f32, data: [0, 0, 0]))
    }
}
