// DatasetFolder — a dataset directory: train.jsonl (required), valid.jsonl and test.jsonl
// (optional), the layout mlx-lm uses. A path to a single .jsonl file is taken as train only.
// All present files are read and validated at once.
import Foundation

public struct DatasetFolder: Sendable {
    public let path: String
    public let train: [DatasetRecord]
    public let valid: [DatasetRecord]?
    public let test: [DatasetRecord]?

    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.unreadable(path: path, detail: "no such file or directory")
        }
        if !isDirectory.boolValue {
            train = try JSONLDatasetReader.read(path: path)
            valid = nil
            test = nil
            return
        }
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        guard FileManager.default.fileExists(atPath: file("train.jsonl")) else {
            throw DatasetError.missingTrainFile(folder: path)
        }
        train = try JSONLDatasetReader.read(path: file("train.jsonl"))
        valid = FileManager.default.fileExists(atPath: file("valid.jsonl")) ? try JSONLDatasetReader.read(path: file("valid.jsonl")) : nil
        test = FileManager.default.fileExists(atPath: file("test.jsonl")) ? try JSONLDatasetReader.read(path: file("test.jsonl")) : nil
    }
}
