// Bad GGUF files: each gives a typed GGUFError naming the file and the problem, never a crash and
// never an allocation sized by the corrupt field.
import XCTest
@testable import FrugalIO

final class GGUFCorruptFileTests: XCTestCase {
    private lazy var dir = temporaryDirectory(self)

    private func open(_ g: Bytes, _ file: StaticString = #filePath, _ line: UInt = #line) -> (GGUFError?, String) {
        let url = dir.appendingPathComponent("bad.gguf")
        g.write(to: url)
        do { _ = try GGUFFile(path: url.path); return (nil, url.path) } catch let e as GGUFError {
            XCTAssertTrue(e.description.contains(url.path), "message must name the file: \(e)", file: file, line: line)
            return (e, url.path)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line); return (nil, url.path)
        }
    }

    func testValidMinimalFileOpens() throws {
        let url = temporaryDirectory(self).appendingPathComponent("ok.gguf")
        validGGUF().write(to: url)
        let f = try GGUFFile(path: url.path)
        XCTAssertEqual(f.tensors.map(\.name), ["a", "b"])
        XCTAssertEqual(try f.loadFloat32("b").data, (8..<16).map(Float.init))
        XCTAssertEqual(try f.loadFloat32("b").shape, [2, 4])
    }

    func testWrongMagic() {
        var g = validGGUF(); g.b[0] = UInt8(ascii: "X")
        guard case .badMagic? = open(g).0 else { return XCTFail() }
    }

    func testEmptyAndMissingFiles() {
        guard case .truncated? = open(Bytes()).0 else { return XCTFail("empty file") }
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/x.gguf")) { e in
            guard case .cannotOpen(let p, _)? = e as? GGUFError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, "/nonexistent/x.gguf")
        }
        XCTAssertThrowsError(try GGUFFile(path: temporaryDirectory(self).path)) { e in
            guard case .cannotOpen? = e as? GGUFError else { return XCTFail("\(e)") }
        }
    }

    func testUnsupportedVersion() {
        var g = Bytes(); g.header(tensors: 0, kvs: 0, version: 2)
        XCTAssertEqual(open(g).0, .unsupportedVersion(path: open(g).1, version: 2))
    }

    func testTruncatedHeaderAndData() {
        let full = validGGUF()
        for cut in [10, 30, 60, full.b.count - 1] {
            var g = full; g.b.removeLast(full.b.count - cut)
            let (e, _) = open(g)
            switch e {
            case .truncated?, .tensorOutOfBounds?: break
            default: XCTFail("cut at \(cut): \(String(describing: e))")
            }
        }
    }

    func testAbsurdTensorCount() {
        var g = Bytes(); g.header(tensors: 1 << 60, kvs: 0)
        guard case .truncated(_, let what, _, _, _)? = open(g).0 else { return XCTFail() }
        XCTAssertTrue(what.contains("1152921504606846976 tensors"))
    }

    func testAbsurdKVCount() {
        var g = Bytes(); g.header(tensors: 0, kvs: UInt64.max)
        guard case .truncated? = open(g).0 else { return XCTFail() }
    }

    func testStringLengthPastEOF() {
        var g = Bytes(); g.header(tensors: 0, kvs: 1)
        g.u64(1 << 40); g.raw("general.architecture")
        guard case .truncated(_, let what, _, let needed, _)? = open(g).0 else { return XCTFail() }
        XCTAssertEqual(needed, 1 << 40)
        XCTAssertTrue(what.contains("key"))
    }

    func testArrayCountPastEOF() {
        var g = Bytes(); g.header(tensors: 0, kvs: 1)
        g.str("tokenizer.ggml.tokens"); g.u32(9); g.u32(8); g.u64(1 << 59)
        guard case .truncated(_, let what, _, _, _)? = open(g).0 else { return XCTFail() }
        XCTAssertTrue(what.contains("tokenizer.ggml.tokens"))
    }

    func testUnknownValueTypeAndBadBool() {
        var g = Bytes(); g.header(tensors: 0, kvs: 1); g.str("k"); g.u32(13); g.u32(0)
        XCTAssertEqual(open(g).0, .unknownValueType(path: open(g).1, key: "k", code: 13))
        var h = Bytes(); h.header(tensors: 0, kvs: 1); h.str("k"); h.u32(7); h.u8(2)
        guard case .invalidValue(_, "k", _)? = open(h).0 else { return XCTFail() }
    }

    func testNestingTooDeep() {
        var g = Bytes(); g.header(tensors: 0, kvs: 1); g.str("deep"); g.u32(9)
        for _ in 0..<20 { g.u32(9); g.u64(1) }
        g.u32(0); g.u64(0)
        XCTAssertEqual(open(g).0, .nestingTooDeep(path: open(g).1, key: "deep"))
    }

    func testDuplicateKeyAndBadAlignment() {
        var g = Bytes(); g.header(tensors: 0, kvs: 2); g.kvU32("a", 1); g.kvU32("a", 2)
        XCTAssertEqual(open(g).0, .duplicateKey(path: open(g).1, key: "a"))
        var h = Bytes(); h.header(tensors: 0, kvs: 1); h.kvU32("general.alignment", 48)
        guard case .badAlignment? = open(h).0 else { return XCTFail() }
    }

    private func oneTensor(dims: [UInt64], type: UInt32 = 0, offset: UInt64 = 0, dataBytes: Int = 64) -> Bytes {
        var g = Bytes(); g.header(tensors: 1, kvs: 0)
        g.tensorInfo("t", dims: dims, type: type, offset: offset)
        g.pad(to: 32); g.b += [UInt8](repeating: 0, count: dataBytes)
        return g
    }

    func testUnknownGGMLType() {
        let g = oneTensor(dims: [4], type: 99)
        XCTAssertEqual(open(g).0, .unknownGGMLType(path: open(g).1, tensor: "t", code: 99))
    }

    func testTooManyDimensions() {
        let g = oneTensor(dims: [1, 1, 1, 1, 1])
        XCTAssertEqual(open(g).0, .tooManyDimensions(path: open(g).1, tensor: "t", count: 5))
    }

    func testDimsProductOverflowAndHugeDims() {
        guard case .badShape(_, "t", _, let r)? = open(oneTensor(dims: [1 << 32, 1 << 32])).0 else { return XCTFail() }
        XCTAssertTrue(r.contains("overflow"))
        guard case .badShape? = open(oneTensor(dims: [UInt64.max])).0 else { return XCTFail() }
        // Q4_0 with ne[0] not a multiple of 32.
        guard case .badShape(_, _, _, let r2)? = open(oneTensor(dims: [33], type: 2)).0 else { return XCTFail() }
        XCTAssertTrue(r2.contains("block size 32"))
    }

    func testOffsetsPastEndMisalignedAndOverlapping() {
        let (e, p) = open(oneTensor(dims: [32], offset: 0, dataBytes: 64))
        XCTAssertEqual(e, .tensorOutOfBounds(path: p, tensor: "t", offset: 0, bytes: 128, dataSize: 64))
        guard case .tensorOutOfBounds? = open(oneTensor(dims: [4], offset: 1 << 62)).0 else { return XCTFail() }
        guard case .misalignedOffset? = open(oneTensor(dims: [4], offset: 8)).0 else { return XCTFail() }
        var g = Bytes(); g.header(tensors: 2, kvs: 0)
        g.tensorInfo("a", dims: [16], type: 0, offset: 0)
        g.tensorInfo("b", dims: [16], type: 0, offset: 32)
        g.pad(to: 32); g.b += [UInt8](repeating: 0, count: 128)
        XCTAssertEqual(open(g).0, .overlappingTensors(path: open(g).1, first: "a", second: "b"))
        var d = Bytes(); d.header(tensors: 2, kvs: 0)
        d.tensorInfo("a", dims: [4], type: 0, offset: 0)
        d.tensorInfo("a", dims: [4], type: 0, offset: 32)
        d.pad(to: 32); d.b += [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(open(d).0, .duplicateTensor(path: open(d).1, tensor: "a"))
    }

    func testUndequantizableTypeIsListedButRefusedOnLoad() throws {
        let url = temporaryDirectory(self).appendingPathComponent("q2k.gguf")
        oneTensor(dims: [256], type: 10, dataBytes: 84).write(to: url)
        let f = try GGUFFile(path: url.path)
        XCTAssertEqual(f.tensors.first?.type, .q2_K)
        XCTAssertThrowsError(try f.loadFloat32("t")) { e in
            XCTAssertEqual(e as? GGUFError, .cannotDequantize(path: url.path, tensor: "t", type: "Q2_K"))
        }
        XCTAssertThrowsError(try f.loadFloat32("missing")) { e in
            XCTAssertEqual(e as? GGUFError, .tensorNotFound(path: url.path, tensor: "missing"))
        }
    }
}
