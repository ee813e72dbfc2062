// GGUFModel — a Llama GGUF file seen as an HF checkpoint: HF tensor names, HF row order.
//
// Names go through GGUFTensorNames (the one table); q_proj/k_proj rows are un-permuted with
// QKPermutation using numHeads / numKVHeads from the file's ModelConfig, so every weight matches
// what transformers' GGUF loader produces and Frugal can use rotate-half RoPE like HF.
// Leaves out: keeping weights quantized (everything is dequantized to Float32 on load).
import FrugalSpec

public final class GGUFModel: @unchecked Sendable {
    public let file: GGUFFile
    public let config: ModelConfig

    public init(path: String) throws {
        file = try GGUFFile(path: path)
        config = try file.modelConfig()
    }

    public init(file: GGUFFile) throws {
        self.file = file
        config = try file.modelConfig()
    }

    /// HF names of all tensors in the table, in file order. Tensors outside the table are listed
    /// by `file.tensors` but not here.
    public var hfTensorNames: [String] { file.tensors.compactMap { GGUFTensorNames.hfName(gguf: $0.name) } }

    /// The tensor HF calls `hfName`, dequantized, in HF layout (row-major `[out, in]`).
    public func loadFloat32(hf hfName: String) throws -> (shape: [Int], data: [Float]) {
        guard let g = GGUFTensorNames.ggufName(hf: hfName), let info = file.tensor(named: g) else {
            throw GGUFError.tensorNotFound(path: file.path, tensor: hfName)
        }
        let data = try file.loadFloat32(info)
        let shape = info.shape
        let heads: Int
        if hfName.hasSuffix("self_attn.q_proj.weight") || hfName.hasSuffix("self_attn.q_proj.bias") {
            heads = config.numHeads
        } else if hfName.hasSuffix("self_attn.k_proj.weight") || hfName.hasSuffix("self_attn.k_proj.bias") {
            heads = config.numKVHeads
        } else {
            return (shape, data)
        }
        guard let rows = shape.first, config.headDim % 2 == 0, rows == heads * config.headDim else {
            throw GGUFError.badShape(path: file.path, tensor: info.name, dims: info.dims.map(UInt64.init),
                                     reason: "expected \(heads) heads × \(config.headDim) rows (an even head size)")
        }
        let cols = shape.dropFirst().reduce(1, *)
        return (shape, QKPermutation.unpermute(data, rows: rows, cols: cols, heads: heads))
    }
}
