// The generated grammar corpus: deterministic from its seed, plain ASCII, and obeying the rules
// it is meant to teach (articles, agreement, capitals), with a derivation entropy per byte that
// is positive and far below the 8 bits of a uniform byte.
import Foundation
import XCTest
@testable import FrugalTrain

final class SweepCorpusTests: XCTestCase {
    func testDeterministicFromSeed() {
        let a = SweepCorpus.generate(bytes: 20_000, seed: 7), b = SweepCorpus.generate(bytes: 20_000, seed: 7)
        let c = SweepCorpus.generate(bytes: 20_000, seed: 8)
        XCTAssertEqual(a.bytes, b.bytes)
        XCTAssertEqual(a.derivationNatsPerByte, b.derivationNatsPerByte)
        XCTAssertNotEqual(a.bytes, c.bytes)
        XCTAssertGreaterThanOrEqual(a.bytes.count, 20_000)
        XCTAssertLessThan(a.bytes.count, 21_000)
        // Same seed, longer target: the shorter text is a prefix.
        let longer = SweepCorpus.generate(bytes: 40_000, seed: 7)
        XCTAssertEqual(Array(longer.bytes.prefix(a.bytes.count)), a.bytes)
    }

    func testTextFollowsItsRules() throws {
        let corpus = SweepCorpus.generate(bytes: 60_000, seed: 1)
        XCTAssertTrue(corpus.bytes.allSatisfy { $0 == 10 || (32..<127).contains($0) })
        let text = String(decoding: corpus.bytes, as: UTF8.self)
        let words = text.split(whereSeparator: { " \n".contains($0) }).map(String.init)
        for (w, next) in zip(words, words.dropFirst()) where w == "a" || w == "an" || w == "A" || w == "An" {
            let vowel = "aeiou".contains(next.first!)
            XCTAssertEqual(w.lowercased() == "an", vowel, "\(w) \(next)")
        }
        // Every sentence starts with a capital; every paragraph with a name "was in the".
        for sentence in text.components(separatedBy: ". ") where !sentence.isEmpty {
            let s = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(s.first!.isUppercase, s)
        }
        for para in text.components(separatedBy: "\n\n") where !para.isEmpty {
            let first = para.split(separator: " ").prefix(4).joined(separator: " ")
            XCTAssertTrue(first.hasSuffix("was in the"), first)
            XCTAssertTrue(SweepCorpus.names.contains(String(para.split(separator: " ")[0])))
        }
        // "NP was/were ADJ." agrees with the determiner: "Two …" were, "A …" was.
        var checked = 0
        for raw in text.components(separatedBy: ". ") {
            let w = raw.trimmingCharacters(in: CharacterSet(charactersIn: ".\n ")).split(separator: " ").map(String.init)
            guard w.count >= 4, let first = w.first, ["was", "were"].contains(w[w.count - 2]) else { continue }
            if ["Two", "Three", "Many", "Some"].contains(first) { XCTAssertEqual(w[w.count - 2], "were", raw); checked += 1 }
            if ["A", "An"].contains(first) { XCTAssertEqual(w[w.count - 2], "was", raw); checked += 1 }
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertGreaterThan(corpus.derivationNatsPerByte, 0.05)
        XCTAssertLessThan(corpus.derivationNatsPerByte, log(256.0))
    }

    func testMorphology() {
        XCTAssertEqual(SweepCorpus.plural("box"), "boxes")
        XCTAssertEqual(SweepCorpus.plural("bush"), "bushes")
        XCTAssertEqual(SweepCorpus.plural("berry"), "berries")
        XCTAssertEqual(SweepCorpus.plural("day"), "days")
        XCTAssertEqual(SweepCorpus.plural("knife"), "knives")
        XCTAssertEqual(SweepCorpus.plural("child"), "children")
        XCTAssertEqual(SweepCorpus.plural("bus"), "buses")
        XCTAssertEqual(SweepCorpus.conjugate("hurry", plural: false), "hurries")
        XCTAssertEqual(SweepCorpus.conjugate("hurry", plural: true), "hurry")
        XCTAssertEqual(SweepCorpus.conjugate("wash", plural: false), "washes")
        XCTAssertEqual(SweepCorpus.conjugate("play", plural: false), "plays")
        XCTAssertEqual(SweepCorpus.article("owl"), "an")
        XCTAssertEqual(SweepCorpus.article("red owl"), "a")
    }
}

final class SweepCorpusSampleTests: XCTestCase {
    /// examples/corpus/grammar-sample.txt is the generator's own output (seed 1), not hand-edited.
    func testShippedSampleIsTheGeneratorsOutput() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/corpus/grammar-sample.txt")
        guard let sample = FileManager.default.contents(atPath: url.path) else {
            throw XCTSkip("the source tree is not beside the tests (\(url.path))")
        }
        let generated = SweepCorpus.generate(bytes: sample.count, seed: 1).bytes
        XCTAssertEqual(Array(generated.prefix(sample.count)), [UInt8](sample))
        XCTAssertTrue(sample.suffix(2).elementsEqual([10, 10]))
    }
}
