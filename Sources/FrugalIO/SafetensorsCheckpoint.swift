// SafetensorsCheckpoint — the weights of an HF model: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` ({"metadata": {...}, "weight_map": {tensor: shard file}}), seen as
// one set of named tensors.
//
// Checks: the index is a JSON object with a weight_map of plain file names (no directories, so an
// index cannot point outside its folder); every shard opens; every tensor the index names is in
// the shard it names; no tensor is in two shards. Tensors in a shard but missing from the index are
// still served (the shard is the truth; transformers loads them the same way).
import Foundation

public final class SafetensorsCheckpoint: @unchecked Sendable {
    /// The files, in shard order.
    public let files: [SafetensorsFile]
    /// Every tensor name, sorted.
    public let tensorNames: [String]
    private let location: [String: Int]

    /// Opens a single .safetensors file or a model.safetensors.index.json.
    public init(path: String) throws {
        if path.hasSuffix(".json") {
            let dir = (path as NSString).deletingLastPathComponent
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw SafetensorsError.badIndex(path: path, reason: "cannot read it (\(error.localizedDescription))")
            }
            guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SafetensorsError.badIndex(path: path, reason: "not a JSON object")
            }
            guard let map = obj["weight_map"] as? [String: String] else {
                throw SafetensorsError.badIndex(path: path, reason: "no \"weight_map\" object of tensor name -> shard file")
            }
            let shardNames = Array(Set(map.values)).sorted()
            for s in shardNames where s.contains("/") || s == ".." || s == "." || s.isEmpty {
                throw SafetensorsError.badIndex(path: path, reason: "shard \"\(s)\" is not a plain file name in the index's directory")
            }
            var files = [SafetensorsFile]()
            for s in shardNames { files.append(try SafetensorsFile(path: (dir as NSString).appendingPathComponent(s))) }
            let fileIndex = Dictionary(uniqueKeysWithValues: shardNames.enumerated().map { ($1, $0) })
            for (tensor, shard) in map where files[fileIndex[shard]!].tensor(named: tensor) == nil {
                throw SafetensorsError.badIndex(path: path, reason: "tensor \"\(tensor)\" is not in its shard \(shard)")
            }
            self.files = files
        } else {
            files = [try SafetensorsFile(path: path)]
        }
        var loc = [String: Int]()
        for (i, f) in files.enumerated() {
            for t in f.tensors {
                if loc[t.name] != nil { throw SafetensorsError.duplicateTensor(path: f.path, tensor: t.name) }
                loc[t.name] = i
            }
        }
        location = loc
        tensorNames = loc.keys.sorted()
    }

    /// Total bytes of all files.
    public var totalFileSize: Int { files.reduce(0) { $0 + $1.fileSize } }

    /// The file holding tensor `name` and its info.
    public func locate(_ name: String) -> (file: SafetensorsFile, info: SafetensorsTensorInfo)? {
        guard let i = location[name] else { return nil }
        return (files[i], files[i].tensor(named: name)!)
    }

    public func info(_ name: String) -> SafetensorsTensorInfo? { locate(name)?.info }

    public func loadFloat32(_ name: String) throws -> (shape: [Int], data: [Float]) {
        guard let (f, _) = locate(name) else { throw SafetensorsError.tensorNotFound(path: files.first?.path ?? "", tensor: name) }
        return try f.loadFloat32(name)
    }

    /// Converts tensor `name` into caller-owned memory of exactly its element count (no array).
    public func loadFloat32(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        guard let (f, _) = locate(name) else { throw SafetensorsError.tensorNotFound(path: files.first?.path ?? "", tensor: name) }
        try f.loadFloat32(name, into: dst)
    }

    public func rawData(_ name: String) throws -> [UInt8] {
        guard let (f, _) = locate(name) else { throw SafetensorsError.tensorNotFound(path: files.first?.path ?? "", tensor: name) }
        return try f.rawData(name)
    }
}
