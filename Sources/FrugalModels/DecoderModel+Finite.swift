// DecoderModel+Finite — which loaded weights hold NaN or infinite values. A model file with such
// weights still loads (the library reports, it does not refuse: a user may want to inspect it), but
// its outputs are garbage (every token <unk>), so the CLI prints a warning naming the tensors.
// Checks the Float32 tensors the model holds (for a 4-bit base: embeddings, norms, head, biases).
import FrugalCore

extension DecoderModel {
    /// Names (transformers names) of the Float32 tensors holding a NaN or ±infinity, in model order.
    public func nonFiniteTensors() -> [String] {
        var out: [String] = []
        var seen = Set<ObjectIdentifier>()
        for (name, t) in namedTensors where t.dtype == .float32 && seen.insert(ObjectIdentifier(t)).inserted {
            let p = t.data
            var finite = true
            for i in 0..<t.count where !p[i].isFinite { finite = false; break }
            if !finite { out.append(name) }
        }
        return out
    }
}
