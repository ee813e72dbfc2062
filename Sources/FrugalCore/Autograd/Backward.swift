// Backward — reverse-mode automatic differentiation over the recorded graph.
//
// `loss.backward()` walks the graph from `loss` in reverse topological order, calls each node's
// closure once with the summed gradient of its output, and accumulates into `grad` of every leaf
// that `requiresGrad`. Interior gradients are dropped as soon as they are consumed, and each node is
// released after use (like PyTorch's retain_graph=False), so saved activations are freed during
// the backward pass. Gradient closures run without recording (no higher-order gradients).
extension Tensor {
    /// Records `op` as the producer of `self` when grad mode is on and an input requires grad.
    /// This is how every op (in any module) joins the graph.
    /// Returns `self` for chaining. The closure maps dL/d(self) to dL/d(inputs).
    @discardableResult
    public func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = Node(op: op, inputs: inputs, backward: backward)
        return self
    }

    /// Backpropagates from this tensor. A one-element tensor seeds with 1; otherwise pass `gradient`
    /// of the same shape.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward: tensor of shape \(shape) does not require grad")
        let seed: Tensor
        if let g = gradient {
            precondition(g.shape == shape, "backward: gradient shape \(g.shape) != tensor shape \(shape)")
            seed = g
        } else {
            precondition(count == 1, "backward: a gradient is needed for a non-scalar of shape \(shape)")
            seed = Tensor.full(shape, 1)
        }
        withoutGrad { Tensor.runBackward(from: self, seed: seed) }
    }

    private static func runBackward(from root: Tensor, seed: Tensor) {
        // Reverse topological order by iterative depth-first search over nodes.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(root, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            if !visited.insert(ObjectIdentifier(t)).inserted { continue }
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        var assignedToLeaf = Set<ObjectIdentifier>()
        for t in order.reversed() {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                accumulateIntoLeaf(t, g, &assignedToLeaf)
                continue
            }
            let grads = node.backward(g)
            precondition(grads.count == node.inputs.count, "backward: op \(node.op) returned \(grads.count) gradients for \(node.inputs.count) inputs")
            t.node = nil  // free saved activations now
            for (input, gi) in zip(node.inputs, grads) {
                guard input.requiresGrad, let gi = gi else { continue }
                precondition(gi.shape == input.shape, "backward: op \(node.op) gave gradient \(gi.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                if let existing = pending[key] {
                    pending[key] = existing.addingElementwise(gi)
                } else {
                    pending[key] = gi
                }
            }
        }
    }

    private static func accumulateIntoLeaf(_ leaf: Tensor, _ g: Tensor, _ assigned: inout Set<ObjectIdentifier>) {
        if let existing = leaf.grad {
            existing.addInPlace(g)
        } else if assigned.insert(ObjectIdentifier(g.storage)).inserted && g.offset == 0 && g.count == g.storage.count {
            leaf.grad = g
        } else {
            leaf.grad = g.copy()  // never share one gradient buffer between two leaves
        }
    }

    /// Sets `grad` to nil.
    public func zeroGrad() { grad = nil }
}
