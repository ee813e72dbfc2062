// Hostile input (issue 23): crafted files that used to trap, hang or flood the terminal now give
// a short, escaped, typed error. Every file is generated here, small.
import XCTest
import FrugalSpec
@testable import FrugalIO

final class HostileInputTests: XCTestCase {
    private lazy var dir = temporaryDirectory(self)

    /// A GGUF of metadata only (no tensors), written with GGUFWriter.
    private func gguf(_ kvs: [(String, GGUFValue)], name: String = "m.gguf") throws -> String {
        var w = try GGUFWriter()
        for (k, v) in kvs { try w.set(k, v) }
        let path = dir.appendingPathComponent(name).path
        try w.write(to: path)
        return path
    }

    private static let llamaKeys: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")), ("llama.embedding_length", .uint32(8)),
        ("llama.attention.head_count", .uint32(2)), ("llama.feed_forward_length", .uint32(16)),
        ("llama.block_count", .uint32(1)), ("llama.context_length", .uint32(32)), ("llama.vocab_size", .uint32(4)),
    ]

    func testTokenTypePastInt32IsAnErrorNotATrap() throws {
        for (i, big) in [GGUFValue.uint32(3_000_000_000), .int64(1 << 40), .int64(-(1 << 40))].enumerated() {
            let path = try gguf([("tokenizer.ggml.model", .string("gpt2")),
                                 ("tokenizer.ggml.tokens", .array(.string, [.string("a"), .string("b")])),
                                 ("tokenizer.ggml.token_type", .array(big.type, [big, big]))], name: "t\(i).gguf")
            XCTAssertThrowsError(try GGUFFile(path: path).tokenizerMetadata()) { e in
                guard case .invalidValue(_, let key, _)? = e as? GGUFError else { return XCTFail("\(e)") }
                XCTAssertEqual(key, "tokenizer.ggml.token_type")
            }
        }
    }

    func testByteArraysAreStoredCompactly() throws {
        // 4 MB of uint8 metadata: kept as 4 MB of bytes, not millions of enum values.
        let n = 4 << 20
        var g = Bytes()
        g.header(tensors: 0, kvs: 1)
        g.str("junk"); g.u32(9); g.u32(0); g.u64(UInt64(n))
        g.b += (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let url = dir.appendingPathComponent("bytes.gguf")
        g.write(to: url)
        let start = Date()
        let f = try GGUFFile(path: url.path)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "parsing a byte array is one copy")
        guard case .array(.uint8, let a)? = f.metadata["junk"] else { return XCTFail() }
        guard case .packed(.uint8, let bytes) = a.storage else { return XCTFail("not stored compactly") }
        XCTAssertEqual(bytes.count, n)
        XCTAssertEqual(a.count, n)
        XCTAssertEqual(a[n - 1], .uint8(UInt8(truncatingIfNeeded: (n - 1) &* 31)))
        // Packed and boxed arrays compare by value; other widths decode little-endian.
        XCTAssertEqual(GGUFArray(packed: .uint8, bytes: [1, 2]), [.uint8(1), .uint8(2)])
        XCTAssertEqual(GGUFArray(packed: .int16, bytes: [0xFE, 0xFF, 1, 0]).map(\.int), [-2, 1])
        XCTAssertEqual(GGUFArray(packed: .float32, bytes: [0, 0, 0x80, 0x3F])[0], .float32(1))
    }

    func testBoolArrayBytesAreChecked() throws {
        var g = Bytes()
        g.header(tensors: 0, kvs: 1)
        g.str("flags"); g.u32(9); g.u32(7); g.u64(3); g.u8(1); g.u8(0); g.u8(7)
        let url = dir.appendingPathComponent("bools.gguf")
        g.write(to: url)
        XCTAssertThrowsError(try GGUFFile(path: url.path)) { e in
            guard case .invalidValue? = e as? GGUFError else { return XCTFail("\(e)") }
        }
    }

    func testAbsurdBlockCountIsRefusedOnEveryPath() throws {
        var kvs = Self.llamaKeys
        kvs[4] = ("llama.block_count", .uint64(1 << 40))
        let path = try gguf(kvs)
        let f = try GGUFFile(path: path)
        XCTAssertThrowsError(try f.modelConfig()) { e in
            guard case .invalidValue(_, let key, let reason)? = e as? GGUFError else { return XCTFail("\(e)") }
            XCTAssertEqual(key, "llama.block_count")
            XCTAssertTrue(reason.contains("exceeds"), reason)
        }
        // `frugal info` reads the same config: it fails too instead of printing 2^40 layers.
        XCTAssertThrowsError(try ModelSummary(source: .gguf(path: path)))
        // A sane file passes.
        XCTAssertEqual(try GGUFFile(path: try gguf(Self.llamaKeys, name: "ok.gguf")).modelConfig().numLayers, 1)
    }

    func testHugeKeyIsRefusedQuicklyWithAShortEscapedMessage() throws {
        // A 1 MB key full of escape sequences (clear screen, retitle) and invalid UTF-8.
        let evil = Array("\u{1B}[2J\u{1B}]0;pwned\u{07}".utf8) + [0xFF, 0xFE]
        var key = [UInt8]()
        while key.count < 1 << 20 { key += evil }
        var g = Bytes()
        g.header(tensors: 0, kvs: 1)
        g.u64(UInt64(key.count)); g.b += key; g.u32(4); g.u32(1)
        let url = dir.appendingPathComponent("hugekey.gguf")
        g.write(to: url)
        let start = Date()
        XCTAssertThrowsError(try GGUFFile(path: url.path)) { e in
            let m = "\(e)"
            XCTAssertLessThan(m.utf8.count, 1000, m)
            XCTAssertFalse(m.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, m)
            XCTAssertTrue(m.contains("\\u{1B}"), m)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testNamesInMessagesAreEscapedAndShortened() throws {
        // A duplicate key with a bell, an escape and 500 bytes.
        let key = "a\u{1B}[31m\u{07}" + String(repeating: "x", count: 500)
        var g = Bytes()
        g.header(tensors: 0, kvs: 2)
        for _ in 0..<2 { g.str(key); g.u32(4); g.u32(1) }
        let url = dir.appendingPathComponent("dup.gguf")
        g.write(to: url)
        XCTAssertThrowsError(try GGUFFile(path: url.path)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("a\\u{1B}[31m\\u{7}xxx"), m)
            XCTAssertTrue(m.contains("…(507 bytes)"), m)
            XCTAssertLessThan(m.utf8.count, url.path.utf8.count + 400, m)
        }
        XCTAssertEqual(SafeText.quoted("q\"\\\u{202E}"), #""q\"\\\u{202E}""#)
        XCTAssertEqual(GGUFValue.uint64(1 << 63 + 5).summary, "9223372036854775813")
        XCTAssertEqual(GGUFValue.string("\u{1B}]0;t\u{7}").summary, #""\u{1B}]0;t\u{7}""#)
        XCTAssertEqual(SafeText.terminal("line\n\ttab\u{1B}c"), "line\n\ttab\\u{1B}c")
        XCTAssertEqual(SafeText.terminal(String(repeating: "é", count: 10), limit: 5), "éé…(20 bytes)")
    }

    /// Found by `make fuzz` (gguf): a tensor of no dimensions of a 32-value block type.
    func testZeroDimensionalBlockTensorIsRefused() throws {
        var g = Bytes()
        g.header(tensors: 1, kvs: 0)
        g.tensorInfo("", dims: [], type: 6, offset: 0)   // Q5_0, one value
        g.pad(to: 32)
        let url = dir.appendingPathComponent("zerodim.gguf")
        g.write(to: url)
        XCTAssertThrowsError(try GGUFFile(path: url.path)) { e in
            guard case .badShape? = e as? GGUFError else { return XCTFail("\(e)") }
        }
        // A 0-dim F32 tensor is one value and loads.
        var h = Bytes()
        h.header(tensors: 1, kvs: 0)
        h.tensorInfo("s", dims: [], type: 0, offset: 0)
        h.pad(to: 32); h.f32(2.5)
        h.write(to: url)
        XCTAssertEqual(try GGUFFile(path: url.path).loadFloat32("s").data, [2.5])
    }

    func testQuantizeForceNeverReplacesItsOwnInput() throws {
        let src = dir.appendingPathComponent("models/tiny")
        try FileManager.default.createDirectory(at: src.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.url("bnb/tiny_f32"), to: src)
        let before = try FileManager.default.contentsOfDirectory(atPath: src.path).sorted()
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: src.deletingLastPathComponent())
        for out in [src.path, src.path + "/", src.deletingLastPathComponent().path, dir.path, src.path + "/../tiny",
                    link.path, link.appendingPathComponent("tiny").path] {
            XCTAssertThrowsError(try QuantizeJob.run(source: .hfDirectory(path: src.path), options: QuantizeOptions(target: .nf4, force: true),
                                                     output: out), out) { e in
                guard case .outputHoldsInput? = e as? QuantizeError else { return XCTFail("\(out): \(e)") }
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: src.path).sorted(), before)
        // A sibling folder is fine.
        XCTAssertNoThrow(try QuantizeJob.run(source: .hfDirectory(path: src.path), options: QuantizeOptions(target: .nf4, force: true),
                                             output: dir.appendingPathComponent("models/tiny-nf4").path))
    }
}
