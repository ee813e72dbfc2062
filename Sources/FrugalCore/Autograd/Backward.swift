// Backward — reverse-mode automatic differentiation over the recorded graph.
//
// `loss.backward()` walks the graph of nodes from `loss` in reverse topological order, calls each
// node's closure once with the summed gradient of its output, and accumulates into `grad` of every
// leaf that `requiresGrad`. Interior gradients are dropped as soon as they are consumed, and each
// node is released after use (like PyTorch's retain_graph=False), so saved activations are freed
// during the backward pass. Gradient closures run without recording (no higher-order gradients).
//
// Gradient accumulators: when a tensor feeds several ops (a normed hidden state feeds q, k, v and
// their LoRA branch), its gradient is a sum. Rather than each op writing a fresh tensor and the
// engine adding them (one zeroing inside sgemm, then a pass over both, per extra op), the engine
// offers the sum gathered so far to the next op, which may add its own part into it in place (sgemm
// with β = 1) and return that same tensor (`takeGradientAccumulator`). Only a sum that nothing else
// refers to (no other tensor object, no view of its storage) is offered.
import Foundation

extension Tensor {
    /// Records `op` as the producer of `self` when grad mode is on and an input requires grad.
    /// This is how every op (in any module) joins the graph. The closure maps dL/d(self) to
    /// dL/d(inputs); whatever it captures is what the graph keeps alive.
    @discardableResult
    public func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if OpProfile.enabled && (GradMode.isEnabled || OpProfile.backwardDepth == 0) { OpProfile.recordForward(op) }
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
        var assigned = Set<ObjectIdentifier>()
        guard let root = node else {
            withoutGrad { Tensor.accumulateIntoLeaf(self, seed, &assigned) }
            return
        }
        node = nil
        withoutGrad { Tensor.runBackward(from: root, seed: seed, &assigned) }
    }

    private static func runBackward(from root: Node, seed: Tensor, _ assigned: inout Set<ObjectIdentifier>) {
        // Reverse topological order by iterative depth-first search over nodes.
        var order: [Node] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Node, Bool)] = [(root, false)]
        while let (n, expanded) = stack.popLast() {
            if expanded { order.append(n); continue }
            if !visited.insert(ObjectIdentifier(n)).inserted { continue }
            stack.append((n, true))
            for case let .node(child, _) in n.edges where !visited.contains(ObjectIdentifier(child)) {
                stack.append((child, false))
            }
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        for n in order.reversed() {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(n)) else { continue }
            // the sums gathered so far for this node's inputs that it may add into in place
            var offers: [Tensor?] = []
            if accumulatesInPlace {
                offers = n.edges.map { edge in
                    guard case let .node(child, _) = edge else { return nil }
                    let key = ObjectIdentifier(child)
                    guard var t = pending.removeValue(forKey: key) else { return nil }
                    if isKnownUniquelyReferenced(&t) && isKnownUniquelyReferenced(&t.storage)
                        && t.offset == 0 && t.count == t.storage.count { return t }
                    pending[key] = t
                    return nil
                }
            }
            let outerOffers = offeredAccumulators
            offeredAccumulators = offers
            let t0 = OpProfile.enabled ? OpProfile.now() : 0
            OpProfile.backwardDepth += 1
            let (grads, edges) = n.run(g)
            OpProfile.backwardDepth -= 1
            let left = offeredAccumulators
            offeredAccumulators = outerOffers
            if OpProfile.enabled && n.op != "checkpoint" { OpProfile.recordBackward(n.op, OpProfile.now() - t0) }
            precondition(grads.count == edges.count, "backward: op \(n.op) returned \(grads.count) gradients for \(edges.count) inputs")
            for (i, (edge, gi)) in zip(edges, grads).enumerated() {
                if i < offers.count, let offered = offers[i], case let .node(child, _) = edge {
                    let key = ObjectIdentifier(child)
                    if left[i] == nil {   // the op took the sum and added its part into it
                        precondition(gi === offered, "backward: op \(n.op) took the gradient accumulator of input \(i) but returned another tensor")
                        pending[key] = offered
                        continue
                    }
                    pending[key] = offered   // not taken: back in place, gi is added below
                }
                guard let gi else { continue }
                switch edge {
                case .none:
                    continue
                case let .leaf(t):
                    precondition(gi.shape == t.shape, "backward: op \(n.op) gave gradient \(gi.shape) for input \(t.shape)")
                    accumulateIntoLeaf(t, gi, &assigned)
                case let .node(child, shape):
                    precondition(gi.shape == shape, "backward: op \(n.op) gave gradient \(gi.shape) for input \(shape)")
                    let key = ObjectIdentifier(child)
                    if let existing = pending[key] {
                        pending[key] = existing.addingElementwise(gi)
                    } else {
                        pending[key] = gi
                    }
                }
            }
        }
    }

    /// Whether the engine offers gathered gradient sums to ops (off: every op returns a fresh
    /// gradient and the engine adds them; the tests compare both).
    nonisolated(unsafe) public static var accumulatesInPlace = ProcessInfo.processInfo.environment["FRUGAL_GRAD_INPLACE"] != "0"
    /// The running node's offers, by input (see `takeGradientAccumulator`).
    nonisolated(unsafe) static var offeredAccumulators: [Tensor?] = []

    /// For an op's backward closure: the gradient already gathered for its input `i`, when the
    /// engine can give it up and it has `shape`. The op adds its own gradient for input i into it
    /// (not replacing it) and must return that same tensor as input i's gradient. Nil otherwise (the
    /// op then returns a fresh gradient as usual). Call it on the thread running the backward.
    public static func takeGradientAccumulator(input i: Int, shape: [Int]) -> Tensor? {
        guard i < offeredAccumulators.count, let t = offeredAccumulators[i], t.shape == shape else { return nil }
        offeredAccumulators[i] = nil
        return t
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
