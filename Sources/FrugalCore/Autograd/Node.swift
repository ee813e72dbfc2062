// Node — one recorded operation of the autograd graph: edges to where its inputs' gradients go,
// and a closure that maps the gradient of its output to gradients of its inputs (nil where an input
// needs none).
//
// Edges point to the producing node (or, for a leaf, to the leaf tensor that accumulates `grad`),
// never to an intermediate tensor itself: the graph keeps alive exactly what the closures saved for
// backward (as PyTorch's saved tensors), not every intermediate result. The node is dropped after
// `backward()`, so those saved activations are freed as soon as they are used.
final class Node {
    enum Edge {
        case node(Node, shape: [Int])
        case leaf(Tensor)
        case none
    }

    let op: String
    private(set) var edges: [Edge]
    private var closure: ((Tensor) -> [Tensor?])?

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        edges = inputs.map { t in
            guard t.requiresGrad else { return .none }
            if let n = t.node { return .node(n, shape: t.shape) }
            return .leaf(t)
        }
        closure = backward
    }

    /// Runs the closure once, then releases it and the edges (and with them everything they kept
    /// alive), even if a tensor still refers to this node.
    func run(_ g: Tensor) -> (grads: [Tensor?], edges: [Edge]) {
        guard let f = closure else {
            preconditionFailure("backward: op \(op) was already backpropagated and its saved tensors freed; run the forward again")
        }
        let grads = f(g), e = edges
        closure = nil
        edges = []
        return (grads, e)
    }
}
