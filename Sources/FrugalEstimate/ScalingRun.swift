// ScalingRun — one finished training run in a runs file (JSON lines), and the strict reader.
// A line: {"compute": FLOPs, "loss": final loss, "params": N, "tokens": D, "name": "..."};
// compute and loss are required, except that compute may be left out when params and tokens are
// given (then C = 6·N·D). Unknown keys are refused by name; blank lines are skipped. Errors name
// the file and the 1-based line. Leaves out: units other than FLOPs, per-step curves (see
// PlotMetricsLog for those).
import Foundation

public struct ScalingRun: Sendable, Equatable {
    public var compute: Double
    public var loss: Double
    public var params: Double?
    public var tokens: Double?
    public var name: String?
    /// 1-based line in the file it came from (0 when built in code).
    public var line: Int

    public static let allowedKeys: Set<String> = ["compute", "loss", "params", "tokens", "name"]

    public init(compute: Double, loss: Double, params: Double? = nil, tokens: Double? = nil,
                name: String? = nil, line: Int = 0) {
        self.compute = compute; self.loss = loss; self.params = params; self.tokens = tokens
        self.name = name; self.line = line
    }

    /// Reads a runs file. Throws ScalingError naming the file and line.
    public static func read(contentsOf url: URL) throws -> [ScalingRun] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ScalingError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScalingError.unreadable(file: url.path, reason: "not UTF-8 text")
        }
        return try parse(text, file: url.path)
    }

    /// Parses runs from JSON-lines text; `file` is only used in messages.
    public static func parse(_ text: String, file: String) throws -> [ScalingRun] {
        var runs: [ScalingRun] = []
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            runs.append(try parseLine(line, file: file, line: lineNumber))
        }
        if runs.isEmpty { throw ScalingError.emptyRuns(file: file) }
        return runs
    }

    static func parseLine(_ line: String, file: String, line n: Int) throws -> ScalingRun {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: []) } catch {
            throw ScalingError.malformedLine(file: file, line: n, reason: "not valid JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw ScalingError.malformedLine(file: file, line: n, reason: "not a JSON object")
        }
        for key in dict.keys.sorted() where !allowedKeys.contains(key) {
            throw ScalingError.unknownKey(file: file, line: n, key: key)
        }
        func number(_ key: String) throws -> Double? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            if v is String {
                throw ScalingError.malformedLine(file: file, line: n, reason: "\"\(key)\" is a string; write it as a JSON number such as 1e18")
            }
            guard let num = v as? NSNumber, !Self.isBool(num) else {
                throw ScalingError.malformedLine(file: file, line: n, reason: "\"\(key)\" is not a number")
            }
            let d = num.doubleValue
            guard d.isFinite, d > 0 else { throw ScalingError.nonPositive(file: file, line: n, field: key, value: d) }
            return d
        }
        let params = try number("params"), tokens = try number("tokens")
        guard let loss = try number("loss") else {
            throw ScalingError.malformedLine(file: file, line: n, reason: "missing \"loss\"")
        }
        var compute = try number("compute")
        if compute == nil, let p = params, let t = tokens { compute = 6 * p * t }
        guard let c = compute else {
            throw ScalingError.malformedLine(file: file, line: n, reason: "missing \"compute\" (or both \"params\" and \"tokens\")")
        }
        var name: String?
        if let v = dict["name"] {
            guard let s = v as? String else {
                throw ScalingError.malformedLine(file: file, line: n, reason: "\"name\" must be a string")
            }
            name = s
        }
        return ScalingRun(compute: c, loss: loss, params: params, tokens: tokens, name: name, line: n)
    }

    /// JSONSerialization hands back booleans as NSNumber; a run field must not be `true`.
    static func isBool(_ n: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(n) == CFBooleanGetTypeID()
        #else
        return String(describing: type(of: n)) == "__NSCFBoolean"
        #endif
    }
}
