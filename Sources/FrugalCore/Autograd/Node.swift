// Node — one recorded operation of the autograd graph: its inputs and a closure that maps the
// gradient of its output to gradients of its inputs (nil where an input needs none).
//
// The closure captures whatever the forward saved (inputs, softmax probabilities, masks); the node
// is dropped after `backward()` so those activations are freed as soon as they are used.
final class Node {
    let op: String
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}
