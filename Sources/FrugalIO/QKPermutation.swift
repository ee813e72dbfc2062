// QKPermutation — undoes llama.cpp's row permutation of the Q and K projections.
//
// llama.cpp `convert_hf_to_gguf.py` (`DecoderModel.permute`) reorders the rows of q_proj (with
// n_head) and k_proj (with n_head_kv) so that RoPE's rotate-half pairs (i, i + D/2) become adjacent
// rows (2i, 2i+1). transformers undoes it when loading GGUF (`_reverse_permute_weights` in
// `modeling_gguf_pytorch_utils.py`: reshape [heads, D/2, 2, in], swap axes 1 and 2). Here, within
// head h, for i < D/2 and j ∈ {0, 1}:
//     hf[h·D + j·(D/2) + i] = gguf[h·D + 2i + j]          (rows; each row has `cols` values)
// A bias (cols = 1) is permuted the same way. V and O are never permuted.
public enum QKPermutation {
    /// Rows in GGUF order -> rows in HF order. `data` is [rows, cols] row-major, rows = heads·D.
    public static func unpermute(_ data: [Float], rows: Int, cols: Int, heads: Int) -> [Float] {
        precondition(data.count == rows * cols, "unpermute: \(data.count) values for [\(rows), \(cols)]")
        precondition(heads > 0 && rows % (2 * heads) == 0, "unpermute: \(rows) rows do not split into \(heads) heads of even size")
        let d = rows / heads, half = d / 2
        var out = [Float](repeating: 0, count: data.count)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for h in 0..<heads {
                    for j in 0..<2 {
                        for i in 0..<half {
                            let to = (h * d + j * half + i) * cols, from = (h * d + 2 * i + j) * cols
                            for c in 0..<cols { dst[to + c] = src[from + c] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The inverse (HF order -> GGUF order), as the converter does; used to test round trips.
    public static func permute(_ data: [Float], rows: Int, cols: Int, heads: Int) -> [Float] {
        precondition(data.count == rows * cols && heads > 0 && rows % (2 * heads) == 0,
                     "permute: bad shape [\(rows), \(cols)] for \(heads) heads")
        let d = rows / heads, half = d / 2
        var out = [Float](repeating: 0, count: data.count)
        for h in 0..<heads {
            for j in 0..<2 {
                for i in 0..<half {
                    let hf = (h * d + j * half + i) * cols, gg = (h * d + 2 * i + j) * cols
                    for c in 0..<cols { out[gg + c] = data[hf + c] }
                }
            }
        }
        return out
    }
}
