// GGUFFile+Load — a tensor's bytes dequantized to Float32, in GGUF layout (no renaming, no
// un-permuting; GGUFModel does those). Shapes are row-major: `shape == info.dims.reversed()`.
extension GGUFFile {
    /// Dequantizes tensor `name` (GGUF name) into a new array. Shape is row-major.
    public func loadFloat32(_ name: String) throws -> (shape: [Int], data: [Float]) {
        guard let info = tensor(named: name) else { throw GGUFError.tensorNotFound(path: path, tensor: name) }
        return (info.shape, try loadFloat32(info))
    }

    /// Dequantizes the tensor described by `info` into a new array of `info.elementCount` values.
    public func loadFloat32(_ info: GGUFTensorInfo) throws -> [Float] {
        guard info.type.canDequantize else {
            throw GGUFError.cannotDequantize(path: path, tensor: info.name, type: info.type.name)
        }
        return [Float](unsafeUninitializedCapacity: info.elementCount) { buf, n in
            GGMLDequantize.dequantize(info.type, rawBytes(of: info), buf)
            n = info.elementCount
        }
    }

    /// Dequantizes tensor `name` into caller-owned memory of exactly its element count.
    public func dequantize(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        guard let info = tensor(named: name) else { throw GGUFError.tensorNotFound(path: path, tensor: name) }
        guard info.type.canDequantize else {
            throw GGUFError.cannotDequantize(path: path, tensor: info.name, type: info.type.name)
        }
        precondition(dst.count == info.elementCount,
                     "dequantize(\(name)): destination holds \(dst.count) values, tensor has \(info.elementCount)")
        GGMLDequantize.dequantize(info.type, rawBytes(of: info), dst)
    }
}
