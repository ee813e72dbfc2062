// JSONLDatasetReader — reads a JSONL dataset file into validated `DatasetRecord`s. One JSON object
// per line; blank lines are skipped; line numbers count every line from 1; a UTF-8 byte-order mark
// and "\r\n" line ends are accepted. All lines of a file must use the same format. The whole file
// is validated before anything is returned, so errors surface before training starts.
import Foundation

public enum JSONLDatasetReader {
    /// Reads `path` (shown as given in error messages).
    public static func read(path: String) throws -> [DatasetRecord] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DatasetError.unreadable(path: path, detail: error.localizedDescription)
        }
        return try parse(data, path: path)
    }

    /// Parses JSONL bytes; `path` names them in errors.
    public static func parse(_ data: Data, path: String) throws -> [DatasetRecord] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [DatasetRecord] = []
        var first: DatasetRecord? = nil
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var slice = bytes[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            start = end + 1
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { if end >= bytes.count { break }; continue }
            guard isValidUTF8(slice) else {
                throw DatasetError.malformedLine(path: path, line: lineNumber, detail: "the line is not valid UTF-8")
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(slice), options: [.fragmentsAllowed])
            } catch {
                throw DatasetError.malformedLine(path: path, line: lineNumber, detail: "the line is not valid JSON")
            }
            let record = try DatasetRecord.parse(object, path: path, line: lineNumber)
            if let first, first.format != record.format {
                throw DatasetError.malformedLine(path: path, line: lineNumber,
                    detail: "is \(record.format.rawValue) but line \(first.line) is \(first.format.rawValue); use one format per file")
            }
            if first == nil { first = record }
            records.append(record)
            if end >= bytes.count { break }
        }
        if records.isEmpty { throw DatasetError.empty(path: path) }
        return records
    }

    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
