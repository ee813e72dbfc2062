// GGUFModel — a GGUF file seen as an HF checkpoint: HF tensor names, HF row order, HF values.
//
// Names go through the family's module table (ModelFamily); where llama.cpp's converter permuted
// them (`ggufPermutesQK`), q_proj/k_proj rows are un-permuted with QKPermutation using numHeads /
// numKVHeads from the file's ModelConfig, so every weight matches what transformers' GGUF loader
// produces and Frugal can use rotate-half RoPE like HF. Norm weights of families whose RMSNorm
// scales by (offset + w) are stored as offset + w by the converter; they come back as w.
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
    public var hfTensorNames: [String] { file.tensors.compactMap { config.family.hfName(gguf: $0.name) } }

    /// The tensor HF calls `hfName`, dequantized, in HF layout (row-major `[out, in]`).
    public func loadFloat32(hf hfName: String) throws -> (shape: [Int], data: [Float]) {
        let family = config.family
        guard let g = family.ggufName(hf: hfName), let info = file.tensor(named: g) else {
            throw GGUFError.tensorNotFound(path: file.path, tensor: hfName)
        }
        var data = try file.loadFloat32(info)
        let shape = info.shape
        let role = family.role(ofHF: hfName)?.role
        let offset = family.block.normWeightOffset
        if let role, role.isNorm, offset != 0 {
            for i in data.indices { data[i] -= offset }
            return (shape, data)
        }
        let heads: Int
        switch role {
        case .q? where family.ggufPermutesQK: heads = config.numHeads
        case .k? where family.ggufPermutesQK: heads = config.numKVHeads
        default: return (shape, data)
        }
        guard let rows = shape.first, config.headDim % 2 == 0, rows == heads * config.headDim else {
            throw GGUFError.badShape(path: file.path, tensor: info.name, dims: info.dims.map(UInt64.init),
                                     reason: "expected \(heads) heads × \(config.headDim) rows (an even head size)")
        }
        let cols = shape.dropFirst().reduce(1, *)
        return (shape, QKPermutation.unpermute(data, rows: rows, cols: cols, heads: heads))
    }
}
