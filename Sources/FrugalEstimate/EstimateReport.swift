// EstimateReport — everything `frugal estimate` computes for one model and set of options — and
// EstimateJSON, the stable `--json` form (docs/json.md): snake_case keys, the chosen method's
// parameters / memory / FLOPs first, then the whole report. The CLI only prints these.
import Foundation
import FrugalSpec

/// Everything `frugal estimate` computes.
public struct EstimateReport: Codable, Sendable {
    public var model: String
    public var source: String
    public var config: ModelConfig
    public var parameters: ParameterBreakdown
    public var parameterTotal: Int
    public var nonEmbeddingParameters: Int
    public var inference: [MemoryEstimate]
    public var training: [TrainingEstimate]
    public var flops: [FlopsEstimate]
    public var flopsPerSecond: Double?
    public var tokens: Double
    public var seconds: [Double]?

    public init(model: String, source: String, config: ModelConfig, parameters: ParameterBreakdown, parameterTotal: Int,
                nonEmbeddingParameters: Int, inference: [MemoryEstimate], training: [TrainingEstimate], flops: [FlopsEstimate],
                flopsPerSecond: Double?, tokens: Double, seconds: [Double]?) {
        self.model = model; self.source = source; self.config = config; self.parameters = parameters
        self.parameterTotal = parameterTotal; self.nonEmbeddingParameters = nonEmbeddingParameters
        self.inference = inference; self.training = training; self.flops = flops
        self.flopsPerSecond = flopsPerSecond; self.tokens = tokens; self.seconds = seconds
    }
}

/// What `frugal estimate --json` prints (docs/json.md): snake_case keys; `parameters`, `memory` and
/// `flops` first for the chosen method (`--method`, default QLoRA) and options, then the full
/// report (every inference format and training method).
public struct EstimateJSON: Encodable {
    public struct Parameters: Encodable {
        public var total: Int
        public var nonEmbedding: Int
        public var byComponent: [String: Int]
    }
    public struct Memory: Encodable {
        public var method: String
        public var totalBytes: Int
        public var items: [MemoryLine]
    }
    public struct Flops: Encodable {
        public var forwardPerToken: Double
        public var trainPerToken: Double
    }
    public var model: String
    public var source: String
    public var config: ModelConfig
    public var parameters: Parameters
    public var memory: Memory
    public var flops: Flops
    public var report: EstimateReport

    public init(report: EstimateReport, chosen: TrainingMethod, training: TrainingEstimate, flops f: FlopsEstimate) {
        model = report.model; source = report.source; config = report.config
        let p = report.parameters
        parameters = Parameters(total: p.total, nonEmbedding: p.nonEmbedding, byComponent: [
            "embedding": p.embedding, "position_embedding": p.positionEmbedding, "attention": p.attention,
            "mlp": p.mlp, "norms": p.norms, "head": p.head])
        memory = Memory(method: chosen.rawValue, totalBytes: Int(training.memory.total.rounded()), items: training.memory.lines)
        flops = Flops(forwardPerToken: f.forward + f.loraForward, trainPerToken: f.total)
        self.report = report
    }

    public static var encoder: JSONEncoder { JSONStyle.encoder() }
}

