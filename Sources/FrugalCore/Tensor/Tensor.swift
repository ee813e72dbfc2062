// Tensor — an n-dimensional array of Float32, row-major and always contiguous, with the autograd
import Foundation
// fields (`requiresGrad`, `grad`, the node that produced it).
//
// Views are made only where they are free: `reshaped` of contiguous data and `rows` (a slice along
// the first axis) share storage. Everything else (transpose, permute, general slices) copies, so
// every kernel may assume contiguous row-major data at `data`.
// Other element types (16-bit, packed 4-bit) live in their own types in FrugalQuant and are
// converted to Float32 on use; `dtype` is the tag that lets a Storage hold them.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public internal(set) var storage: Storage   // var only so the autograd can test it for uniqueness
    /// Element offset of this tensor's first element inside `storage`.
    public let offset: Int
    /// Whether gradients flow to this tensor in `backward()`.
    public var requiresGrad: Bool
    /// Accumulated gradient (leaves only), same shape as the tensor.
    public var grad: Tensor?
    /// The operation that produced this tensor, while a graph is recorded (nil for leaves).
    var node: Node?
    /// Optional name (parameters carry their checkpoint name here, for messages).
    public var name: String?

    public var dtype: DType { storage.dtype }
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// Whether this tensor was produced by a recorded operation (not a leaf).
    public var isLeaf: Bool { node == nil }

    /// Pointer to the first Float32 element.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.floats + offset }

    public init(storage: Storage, shape: [Int], offset: Int = 0, requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(offset + shape.reduce(1, *) <= storage.count,
                     "Tensor: shape \(shape) at offset \(offset) exceeds storage of \(storage.count) elements")
        self.storage = storage
        self.shape = shape
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// A new zero-filled tensor.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(storage: Storage(count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    /// A new tensor whose contents the caller will overwrite entirely.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(storage: Storage(count: shape.reduce(1, *), zeroed: false), shape: shape)
    }

    /// A new tensor holding `values` in row-major order.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(storage: Storage(count: values.count, zeroed: false), shape: shape, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A 0-dimensional tensor.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = uninitialized(shape)
        t.data.update(repeating: value, count: t.count)
        return t
    }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements")
        return data[0]
    }

    /// A copy with its own storage, outside any graph.
    public func copy() -> Tensor {
        let t = Tensor.uninitialized(shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// The same data, cut from the graph (no gradient flows through it).
    public func detach() -> Tensor { Tensor(storage: storage, shape: shape, offset: offset) }

    /// Row-major strides of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}
