// Deterministic mutation fuzzing: random byte changes and truncations of the fixture files must
// give typed errors or valid results — never a crash, a trap or a runaway allocation.
import FrugalRandom
import XCTest
@testable import FrugalIO

final class MutationFuzzTests: XCTestCase {
    private func mutants(of original: [UInt8], prefix: Int, count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)   // every run mutates the same bytes
        return (0..<count).map { i in
            var b = original
            if i % 5 == 4 {
                b.removeLast(Int.random(in: 1..<b.count, using: &rng))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = Int.random(in: 0..<min(prefix, b.count), using: &rng)
                    b[at] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)][Int.random(in: 0..<5, using: &rng)]
                }
            }
            return b
        }
    }

    func testMutatedGGUFNeverCrashes() throws {
        let original = [UInt8](try Data(contentsOf: Fixture.url("tiny.gguf")))
        let header = try GGUFFile(path: Fixture.path("tiny.gguf")).dataOffset
        let url = temporaryDirectory(self).appendingPathComponent("m.gguf")
        var opened = 0
        for m in mutants(of: original, prefix: header, count: 150, seed: 42) {
            try Data(m).write(to: url)
            guard let f = try? GGUFFile(path: url.path) else { continue }
            opened += 1
            _ = try? f.modelConfig()
            _ = try? f.tokenizerMetadata()
            for t in f.tensors where t.type.canDequantize { _ = try? f.loadFloat32(t) }
            if let model = try? GGUFModel(file: f) {
                for n in model.hfTensorNames { _ = try? model.loadFloat32(hf: n) }
            }
        }
        XCTAssertGreaterThan(opened, 0, "some mutants (e.g. changed values) still open")
    }

    func testMutatedSafetensorsNeverCrashes() throws {
        let original = [UInt8](try Data(contentsOf: Fixture.url("tensors.safetensors")))
        let header = try SafetensorsFile(path: Fixture.path("tensors.safetensors")).bufferOffset
        let url = temporaryDirectory(self).appendingPathComponent("m.safetensors")
        for m in mutants(of: original, prefix: header, count: 150, seed: 7) {
            try Data(m).write(to: url)
            guard let f = try? SafetensorsFile(path: url.path) else { continue }
            for t in f.tensors where t.dtype.convertsToFloat32 { _ = try? f.loadFloat32(t.name) }
        }
    }
}
