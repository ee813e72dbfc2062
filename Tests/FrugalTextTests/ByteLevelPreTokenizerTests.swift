// The hand-written GPT-2 regex, checked case by case against what the regex
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ matches (worked out
// from its leftmost-first, greedy, backtracking semantics), and the byte map.
import XCTest
@testable import FrugalText

final class ByteLevelPreTokenizerTests: XCTestCase {
    let gpt2 = ByteLevelPreTokenizer(splitDigits: false)
    let smol = ByteLevelPreTokenizer(splitDigits: true)

    func testContractionsAndClasses() {
        XCTAssertEqual(gpt2.pieces(of: "don't I'll we've"), ["don", "'t", " I", "'ll", " we", "'ve"])
        XCTAssertEqual(gpt2.pieces(of: "I'M"), ["I", "'", "M"])  // case-sensitive
        XCTAssertEqual(gpt2.pieces(of: "x''s"), ["x", "''", "s"])
        XCTAssertEqual(gpt2.pieces(of: "Hello, world!"), ["Hello", ",", " world", "!"])
        XCTAssertEqual(gpt2.pieces(of: "a+=b"), ["a", "+=", "b"])
        XCTAssertEqual(gpt2.pieces(of: "café ½"), ["café", " ½"])
        XCTAssertEqual(gpt2.pieces(of: " 'x"), [" '", "x"])
    }

    func testWhitespaceLookahead() {
        XCTAssertEqual(gpt2.pieces(of: "a  b"), ["a", " ", " b"])       // \s+(?!\S) backtracks one
        XCTAssertEqual(gpt2.pieces(of: "a   "), ["a", "   "])         // run to the end
        XCTAssertEqual(gpt2.pieces(of: "a\nb"), ["a", "\n", "b"])      // lone \n before a letter: \s+
        XCTAssertEqual(gpt2.pieces(of: "a \n b"), ["a", " \n", " b"])
        XCTAssertEqual(gpt2.pieces(of: "\t\tx"), ["\t", "\t", "x"])
        XCTAssertEqual(gpt2.pieces(of: "  "), ["  "])
        XCTAssertEqual(gpt2.pieces(of: ""), [])
        XCTAssertEqual(gpt2.pieces(of: "a\u{00A0}b"), ["a", "\u{00A0}", "b"])  // NBSP is \s but not " ?"
    }

    func testDigitsAreIsolatedBeforeTheRegexAndTheLookaheadStopsAtThem() {
        XCTAssertEqual(smol.pieces(of: "12345"), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(smol.pieces(of: "x  12"), ["x", "  ", "1", "2"])   // the run ends the piece
        XCTAssertEqual(gpt2.pieces(of: "x  12"), ["x", " ", " 12"])
        XCTAssertEqual(smol.pieces(of: "Ⅻ½٣"), ["Ⅻ", "½", "٣"])
    }

    func testAddPrefixSpace() {
        let p = ByteLevelPreTokenizer(splitDigits: false, addPrefixSpace: true)
        XCTAssertEqual(p.pieces(of: "Hello world"), [" Hello", " world"])
        XCTAssertEqual(p.pieces(of: " Hello"), [" Hello"])
        let q = ByteLevelPreTokenizer(splitDigits: true, addPrefixSpace: true)
        XCTAssertEqual(q.pieces(of: "a1"), [" a", " 1"])  // each Digits piece gets its own space
    }

    func testByteMap() {
        XCTAssertEqual(ByteUnicodeMap.byteToScalar[0x20], "\u{0120}")  // Ġ
        XCTAssertEqual(ByteUnicodeMap.byteToScalar[0x0A], "\u{010A}")  // Ċ
        XCTAssertEqual(ByteUnicodeMap.byteToScalar[0x09], "\u{0109}")  // ĉ
        XCTAssertEqual(ByteUnicodeMap.byteToScalar[0x21], "!")
        XCTAssertEqual(ByteUnicodeMap.byteToScalar[0xAD], "\u{0143}")  // the 68th remapped byte
        XCTAssertEqual(Set(ByteUnicodeMap.byteToScalar).count, 256)
        XCTAssertEqual((0..<256).filter { ByteUnicodeMap.byteToScalar[$0].value == UInt32($0) }.count, 188)
        let all = (0..<256).map { UInt8($0) }
        XCTAssertEqual(ByteUnicodeMap.decode(ByteUnicodeMap.encode(all)), all)
        XCTAssertNil(ByteUnicodeMap.decode(" "))
    }

    func testMergeLoopLeftmostAmongEqualRanksAndLongRuns() {
        // a=0 b=1 aa=2 aaa=3; merges: (a a)->aa rank 0, (aa a)->aaa rank 1.
        let merges: [UInt64: (rank: Int32, id: Int32)] = [BPEModel.key(0, 0): (0, 2), BPEModel.key(2, 0): (1, 3)]
        func run(_ ids: [Int32]) -> [Int32] {
            BPEModel.mergeAll(.init(ids: ids, lengths: ids.map { _ in 1 }), merges: merges).ids
        }
        XCTAssertEqual(run([0, 0, 0]), [3])                           // aa first (leftmost), then aa+a
        XCTAssertEqual(run([0, 0, 0, 0]), [2, 2])                    // leftmost pairs, then no (aa aa)
        XCTAssertEqual(run([1, 0, 0, 1]), [1, 2, 1])
        let long = BPEModel.mergeAll(.init(ids: [Int32](repeating: 0, count: 10_001), lengths: [Int32](repeating: 1, count: 10_001)), merges: merges)
        XCTAssertEqual(long.lengths.reduce(0, +), 10_001)
        XCTAssertEqual(long.ids, [Int32](repeating: 2, count: 4_999) + [3])  // 4999 "aa", then "aa"+"a"
    }
}
