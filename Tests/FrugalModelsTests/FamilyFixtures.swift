// Shared by the tests on Fixtures/families/<family>/ (the tiny models of reference/family_fixtures.py
// and the adapters of reference/adapter_fixtures.py): where a family's folder is, and the relative
// error the tests hold results to.
import Foundation

enum FamilyFixtures {
    static func folder(_ family: String) -> URL {
        Bundle.module.url(forResource: "families", withExtension: nil, subdirectory: "Fixtures")!.appendingPathComponent(family)
    }

    /// max |a − b| / max |b| — the relative error of a whole tensor.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / Swift.max(scale, 1e-12)
    }
}
