// GGUFTensorInfo — one tensor's entry in a GGUF header: name, dimensions, ggml type, data offset.
//
// `dims` is GGUF order (ne[0] fastest, contiguous); `shape` is the row-major (PyTorch) order,
// i.e. reversed. An HF `[out, in]` weight is stored with dims [in, out] and has shape [out, in].
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ne[0], ne[1], …: ne[0] is the contiguous dimension.
    public let dims: [Int]
    public let type: GGMLType
    /// Byte offset from the start of the data section.
    public let offset: Int
    public let elementCount: Int
    public let byteCount: Int

    /// Row-major shape (dims reversed), the layout PyTorch and Frugal use.
    public var shape: [Int] { dims.reversed() }
}
