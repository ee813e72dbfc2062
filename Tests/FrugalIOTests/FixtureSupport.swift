// Test support: fixture paths, JSON loading, temporary directories, and a byte builder for
// hand-crafted (often deliberately broken) GGUF files.
import Foundation
import XCTest

enum Fixture {
    static func url(_ name: String) -> URL {
        let base = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        return base.appendingPathComponent(name)
    }
    static func path(_ name: String) -> String { url(name).path }
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

/// [Any] of JSON numbers -> [Float].
func floats(_ a: Any?) -> [Float] { (a as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } }
func ints(_ a: Any?) -> [Int] { (a as! [Any]).map { ($0 as! NSNumber).intValue } }

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-io-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Little-endian byte builder for GGUF files.
struct Bytes {
    var b = [UInt8]()
    mutating func u8(_ v: UInt8) { b.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func str(_ s: String) { u64(UInt64(s.utf8.count)); b += Array(s.utf8) }
    mutating func raw(_ s: String) { b += Array(s.utf8) }
    mutating func pad(to a: Int) { while b.count % a != 0 { b.append(0) } }

    /// Header: magic, version, counts.
    mutating func header(tensors: UInt64, kvs: UInt64, version: UInt32 = 3) {
        raw("GGUF"); u32(version); u64(tensors); u64(kvs)
    }
    mutating func kvU32(_ k: String, _ v: UInt32) { str(k); u32(4); u32(v) }
    mutating func kvString(_ k: String, _ v: String) { str(k); u32(8); str(v) }
    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        str(name); u32(UInt32(dims.count)); for d in dims { u64(d) }; u32(type); u64(offset)
    }

    func write(to url: URL) { try! Data(b).write(to: url) }
}

/// A valid minimal GGUF: one KV, two F32 tensors of 8 values each at offsets 0 and 32.
func validGGUF() -> Bytes {
    var g = Bytes()
    g.header(tensors: 2, kvs: 1)
    g.kvString("general.architecture", "llama")
    g.tensorInfo("a", dims: [8], type: 0, offset: 0)
    g.tensorInfo("b", dims: [4, 2], type: 0, offset: 32)
    g.pad(to: 32)
    for i in 0..<16 { g.f32(Float(i)) }
    return g
}
