// TensorStore — how a training checkpoint stores its tensors, behind a small protocol so the format
// can switch (e.g. to safetensors once FrugalIO writes it) without touching the trainer.
//
// RawTensorStore, the current format, is two files in the checkpoint folder:
//   tensors.json  {"format": "frugal-raw-tensors", "version": 1, "checksum": 16 hex digits,
//                  "tensors": [{"name": …, "shape": [..], "offset": bytes, "bytes": n}, …]}
//   tensors.bin   the tensors' float32 elements, little-endian, row-major, back to back at `offset`.
// Reading checks every entry against the expected names and shapes and against the size of
// tensors.bin before allocating anything, so a corrupt index never causes a large allocation;
// then the checksum (Checksum64 of all of tensors.bin) before any value is used, so a damaged or
// zero-filled file of the right size is refused (CheckpointError.checksumMismatch). An index
// without a checksum (written before it was added) is read unchecked.
// Leaves out: other dtypes (checkpoint tensors are float32), memory mapping.
import Foundation
import FrugalCore

public protocol TensorStore {
    /// Writes `tensors` into `directory` (an existing, private folder).
    func write(_ tensors: [(String, Tensor)], into directory: URL) throws
    /// Reads exactly the tensors named in `expected`, with those shapes, from `directory`.
    func read(from directory: URL, expected: [(String, [Int])]) throws -> [String: Tensor]
}

public struct RawTensorStore: TensorStore {
    public static let indexFile = "tensors.json"
    public static let dataFile = "tensors.bin"
    static let format = "frugal-raw-tensors"

    struct Entry: Codable { var name: String; var shape: [Int]; var offset: Int; var bytes: Int }
    struct Index: Codable { var format: String; var version: Int; var checksum: String?; var tensors: [Entry] }

    public init() {}

    public func write(_ tensors: [(String, Tensor)], into directory: URL) throws {
        precondition(Int(littleEndian: 1) == 1, "RawTensorStore: big-endian hosts are not supported")
        var entries: [Entry] = []
        var offset = 0
        for (name, t) in tensors {
            precondition(t.dtype == .float32, "RawTensorStore: \(name) is \(t.dtype), only float32 is stored")
            entries.append(Entry(name: name, shape: t.shape, offset: offset, bytes: t.count * 4))
            offset += t.count * 4
        }
        var blob = Data(count: offset)
        blob.withUnsafeMutableBytes { raw in
            for ((_, t), e) in zip(tensors, entries) {
                (raw.baseAddress! + e.offset).copyMemory(from: t.data, byteCount: e.bytes)
            }
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let checksum = blob.withUnsafeBytes { Checksum64.hex($0) }
        let index = try enc.encode(Index(format: Self.format, version: 1, checksum: checksum, tensors: entries))
        try blob.write(to: directory.appendingPathComponent(Self.dataFile))
        try index.write(to: directory.appendingPathComponent(Self.indexFile))
    }

    public func read(from directory: URL, expected: [(String, [Int])]) throws -> [String: Tensor] {
        let indexURL = directory.appendingPathComponent(Self.indexFile)
        let dataURL = directory.appendingPathComponent(Self.dataFile)
        let fm = FileManager.default
        guard fm.fileExists(atPath: indexURL.path) else { throw CheckpointError.missingFile(indexURL.path) }
        guard fm.fileExists(atPath: dataURL.path) else { throw CheckpointError.missingFile(dataURL.path) }
        let indexSize = (try? fm.attributesOfItem(atPath: indexURL.path)[.size] as? Int) ?? 0
        guard indexSize <= 64 << 20 else {
            throw CheckpointError.malformed(file: indexURL.path, reason: "index of \(indexSize) bytes is implausibly large")
        }
        let index: Index
        do { index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: indexURL)) } catch {
            throw CheckpointError.malformed(file: indexURL.path, reason: "\(error)")
        }
        guard index.format == Self.format, index.version == 1 else {
            throw CheckpointError.malformed(file: indexURL.path, reason: "format \(index.format) version \(index.version), expected \(Self.format) version 1")
        }
        let dataSize = (try fm.attributesOfItem(atPath: dataURL.path)[.size] as? Int) ?? 0
        var byName: [String: Entry] = [:]
        for e in index.tensors {
            guard byName.updateValue(e, forKey: e.name) == nil else {
                throw CheckpointError.malformed(file: indexURL.path, reason: "tensor \(e.name) appears twice")
            }
        }
        let wanted = Set(expected.map(\.0))
        if let extra = index.tensors.first(where: { !wanted.contains($0.name) }) {
            throw CheckpointError.tensorMismatch(name: extra.name, reason: "not a trainable tensor of this run")
        }
        for (name, shape) in expected {
            guard let e = byName[name] else { throw CheckpointError.tensorMismatch(name: name, reason: "missing from the checkpoint") }
            guard e.shape == shape else {
                throw CheckpointError.tensorMismatch(name: name, reason: "shape \(e.shape) in the checkpoint, \(shape) expected")
            }
            let count = shape.reduce(1, *)
            guard e.bytes == count * 4, e.offset >= 0, e.bytes >= 0, e.offset <= dataSize - e.bytes else {
                throw CheckpointError.malformed(file: dataURL.path, reason: "tensor \(name) at bytes \(e.offset)+\(e.bytes) does not fit the \(dataSize)-byte file or its shape")
            }
        }
        // Every entry fits the file (checked above), so reading the whole file is bounded by what
        // the expected tensors need.
        let blob = try Data(contentsOf: dataURL)
        guard blob.count == dataSize else {
            throw CheckpointError.malformed(file: dataURL.path, reason: "changed size while being read")
        }
        if let expectedSum = index.checksum {
            let found = blob.withUnsafeBytes { Checksum64.hex($0) }
            guard found == expectedSum else { throw CheckpointError.checksumMismatch(file: dataURL.path, expected: expectedSum, found: found) }
        }
        var out: [String: Tensor] = [:]
        blob.withUnsafeBytes { raw in
            for (name, shape) in expected {
                let e = byName[name]!
                let t = Tensor.uninitialized(shape)
                if e.bytes > 0 { UnsafeMutableRawPointer(t.data).copyMemory(from: raw.baseAddress! + e.offset, byteCount: e.bytes) }
                out[name] = t
            }
        }
        return out
    }
}
