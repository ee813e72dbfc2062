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
        let shape = try self.shape(hf: hfName)
        let data = try [Float](unsafeUninitializedCapacity: shape.reduce(1, *)) { buf, n in
            try loadFloat32(hf: hfName, into: buf)
            n = buf.count
        }
        return (shape, data)
    }

    /// The row-major shape of the tensor HF calls `hfName`.
    public func shape(hf hfName: String) throws -> [Int] {
        guard let g = config.family.ggufName(hf: hfName), let info = file.tensor(named: g) else {
            throw GGUFError.tensorNotFound(path: file.path, tensor: hfName)
        }
        return info.shape
    }

    /// Dequantizes the tensor HF calls `hfName` into caller-owned memory of its element count, in
    /// HF layout and values (so a large embedding never exists twice while it loads).
    public func loadFloat32(hf hfName: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        let family = config.family
        guard let g = family.ggufName(hf: hfName), let info = file.tensor(named: g) else {
            throw GGUFError.tensorNotFound(path: file.path, tensor: hfName)
        }
        try file.dequantize(g, into: dst)
        let shape = info.shape
        let role = family.role(ofHF: hfName)?.role
        let offset = family.block.normWeightOffset
        if let role, role.isNorm, offset != 0 {
            for i in dst.indices { dst[i] -= offset }
            return
        }
        let heads: Int
        switch role {
        case .q? where family.ggufPermutesQK: heads = config.numHeads
        case .k? where family.ggufPermutesQK: heads = config.numKVHeads
        default: return
        }
        guard let rows = shape.first, config.headDim % 2 == 0, rows == heads * config.headDim else {
            throw GGUFError.badShape(path: file.path, tensor: info.name, dims: info.dims.map(UInt64.init),
                                     reason: "expected \(heads) heads × \(config.headDim) rows (an even head size)")
        }
        let cols = shape.dropFirst().reduce(1, *)
        let hf = QKPermutation.unpermute(Array(dst), rows: rows, cols: cols, heads: heads)
        _ = dst.update(fromContentsOf: hf)
    }
}
