// JSONL datasets: parsing and its errors, dataset folders, encoding with loss masks (checked
// against the HF chat-template ids in the SmolLM2 fixture), batching and packing, SplitMix64.
import FrugalRandom
import Foundation
import XCTest
@testable import FrugalText

final class DatasetTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugaltext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    // MARK: parsing

    func testParsesTheThreeFormats() throws {
        let text = try JSONLDatasetReader.read(path: write("t.jsonl", "\u{FEFF}{\"text\": \"a\", \"id\": 3}\r\n\n  \n{\"text\": \"b\"}\n"))
        XCTAssertEqual(text.map(\.content), [.text("a"), .text("b")])
        XCTAssertEqual(text.map(\.line), [1, 4])
        let pc = try JSONLDatasetReader.read(path: write("p.jsonl", "{\"prompt\": \"Q\", \"completion\": \"A\"}"))
        XCTAssertEqual(pc.map(\.content), [.promptCompletion(prompt: "Q", completion: "A")])
        let chat = try JSONLDatasetReader.read(path: write("c.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}\n"))
        XCTAssertEqual(chat.map(\.content), [.messages([ChatMessage(role: "user", content: "hi"), ChatMessage(role: "assistant", content: "yo")])])
    }

    func assertLineError(_ body: String, line: Int, _ detail: String, file: StaticString = #filePath, l: UInt = #line) throws {
        let path = try write("data/train.jsonl", body)
        XCTAssertThrowsError(try JSONLDatasetReader.read(path: path), file: file, line: l) { error in
            XCTAssertEqual(error as? DatasetError, .malformedLine(path: path, line: line, detail: detail), file: file, line: l)
            XCTAssertEqual("\(error)", "\(path):\(line): \(detail)", file: file, line: l)
        }
    }

    func testMalformedLinesNameFileLineAndProblem() throws {
        let good = "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n"
        let noContent = "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\"}]}\n"
        try assertLineError(String(repeating: good, count: 16) + noContent, line: 17, "\"messages\"[2] has no \"content\"")
        try assertLineError(good + "{\"messages\": [{\"content\": \"x\"}]}", line: 2, "\"messages\"[0] has no \"role\"")
        try assertLineError("{\"messages\": [{\"role\": \"human\", \"content\": \"x\"}]}", line: 1,
                            "\"messages\"[0][\"role\"] is \"human\"; expected \"system\", \"user\", \"assistant\" or \"tool\"")
        try assertLineError("{\"messages\": [{\"role\": \"user\", \"content\": null}]}", line: 1, "\"messages\"[0][\"content\"] is null, not a string")
        try assertLineError("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}", line: 1,
                            "\"messages\" has no \"assistant\" message, so there is nothing to learn")
        try assertLineError("{\"messages\": []}", line: 1, "\"messages\" is empty")
        try assertLineError("{\"messages\": {}}", line: 1, "\"messages\" is not an array")
        try assertLineError("{\"messages\": [3]}", line: 1, "\"messages\"[0] is not an object")
        try assertLineError("{\"text\": \"a\"}\n{\"text\": \"b\"\n", line: 2, "the line is not valid JSON")
        try assertLineError("[1, 2]", line: 1, "expected a JSON object, found an array")
        try assertLineError("{\"txt\": \"a\", \"id\": 1}", line: 1, "expected \"text\", \"prompt\" and \"completion\", or \"messages\"; found \"id\", \"txt\"")
        try assertLineError("{\"text\": 5}", line: 1, "\"text\" is a number, not a string")
        try assertLineError("{\"text\": \"\"}", line: 1, "\"text\" is empty")
        try assertLineError("{\"prompt\": \"q\"}", line: 1, "has \"prompt\" but no \"completion\"")
        try assertLineError("{\"completion\": \"a\"}", line: 1, "has \"completion\" but no \"prompt\"")
        try assertLineError("{\"prompt\": \"q\", \"completion\": true}", line: 1, "\"completion\" is a boolean, not a string")
        try assertLineError("{\"text\": \"a\"}\n\n{\"prompt\": \"q\", \"completion\": \"a\"}", line: 3,
                            "is \"prompt\"/\"completion\" but line 1 is \"text\"; use one format per file")
        let bad = try write("bad.jsonl", "")
        try Data([0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try JSONLDatasetReader.read(path: bad)) { e in
            XCTAssertEqual(e as? DatasetError, .malformedLine(path: bad, line: 1, detail: "the line is not valid UTF-8"))
        }
        XCTAssertThrowsError(try JSONLDatasetReader.read(path: write("e.jsonl", "\n \n"))) { e in
            XCTAssertTrue("\(e)".hasSuffix("e.jsonl: no examples (the file is empty or all lines are blank)"), "\(e)")
        }
    }

    func testDatasetFolder() throws {
        try write("d/train.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n")
        try write("d/valid.jsonl", "{\"text\": \"c\"}\n")
        let folder = try DatasetFolder(path: dir.appendingPathComponent("d").path)
        XCTAssertEqual(folder.train.count, 2)
        XCTAssertEqual(folder.valid?.count, 1)
        XCTAssertNil(folder.test)
        let single = try DatasetFolder(path: dir.appendingPathComponent("d/train.jsonl").path)
        XCTAssertEqual(single.train.count, 2)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let emptyPath = dir.appendingPathComponent("empty").path
        XCTAssertThrowsError(try DatasetFolder(path: emptyPath)) { e in
            XCTAssertEqual(e as? DatasetError, .missingTrainFile(folder: emptyPath))
        }
        try write("d2/train.jsonl", "{\"text\": \"a\"}\n")
        try write("d2/test.jsonl", "{\"text\": \"a\"}\n{\"nope\": 1}\n")
        XCTAssertThrowsError(try DatasetFolder(path: dir.appendingPathComponent("d2").path)) { e in
            XCTAssertTrue("\(e)".contains("d2/test.jsonl:2: expected"), "\(e)")
        }
        XCTAssertThrowsError(try DatasetFolder(path: dir.appendingPathComponent("missing").path))
    }

    // MARK: encoding

    func encoder(_ maxSeqLen: Int = 512, trainOnPrompt: Bool = false) throws -> ExampleEncoder {
        ExampleEncoder(tokenizer: try FixtureLoader.smolSubset(), chatTemplate: .smolLM2, maxSeqLen: maxSeqLen, trainOnPrompt: trainOnPrompt)
    }

    func testTextAndPromptCompletionMasks() throws {
        let enc = try encoder()
        let tok = enc.tokenizer
        let text = try enc.encode(DatasetRecord(content: .text("Hello, world!")))
        XCTAssertEqual(text.ids, [19556, 28, 905, 17, 2])   // + EOS <|im_end|>
        XCTAssertEqual(text.lossMask, [true, true, true, true, true])

        let pc = try enc.encode(DatasetRecord(content: .promptCompletion(prompt: "Hello,", completion: " world!")))
        XCTAssertEqual(pc.ids, tok.encode("Hello, world!") + [2])
        XCTAssertEqual(pc.lossMask, [false, false, true, true, true])
        let all = try encoder(trainOnPrompt: true).encode(DatasetRecord(content: .promptCompletion(prompt: "Hello,", completion: " world!")))
        XCTAssertEqual(all.lossMask, [true, true, true, true, true])

        let short = try encoder(3).encode(DatasetRecord(content: .text("Hello, world!")))
        XCTAssertEqual(short.ids, [19556, 28, 905])
        XCTAssertTrue(short.truncated)
    }

    func testChatMaskMatchesHFTemplateIDs() throws {
        let enc = try encoder()
        let root = try FixtureLoader.json("smollm2_encodings")
        let chats = (root["chats"] as! [[String: Any]]).filter { ($0["add_generation_prompt"] as! Bool) == false }
        var checked = 0
        for chat in chats {
            let messages = (chat["messages"] as! [[String: String]]).map { ChatMessage(role: $0["role"]!, content: $0["content"]!) }
            let e = try enc.encode(DatasetRecord(content: .messages(messages)))
            XCTAssertEqual(e.ids, FixtureLoader.ints(chat["ids"]))
            let targets = e.ids.indices.filter { e.lossMask[$0] }.map { e.ids[$0] }
            let expected = messages.filter { $0.role == "assistant" }.map { $0.content + "<|im_end|>\n" }.joined()
            XCTAssertEqual(enc.tokenizer.decode(targets), expected)
            if !expected.isEmpty { checked += 1 }
            let everything = try encoder(trainOnPrompt: true).encode(DatasetRecord(content: .messages(messages)))
            XCTAssertTrue(everything.lossMask.allSatisfy { $0 })
        }
        XCTAssertEqual(checked, 2)
        let noTemplate = ExampleEncoder(tokenizer: enc.tokenizer, chatTemplate: nil, maxSeqLen: 64)
        XCTAssertThrowsError(try noTemplate.encode(DatasetRecord(content: .messages([ChatMessage(role: "assistant", content: "x")]), path: "f.jsonl", line: 4))) { e in
            XCTAssertTrue("\(e)".hasPrefix("f.jsonl:4: \"messages\" need a chat template"), "\(e)")
        }
    }

    func testDatasetDropsExamplesWithoutTargets() throws {
        let records = [
            DatasetRecord(content: .promptCompletion(prompt: "The quick brown fox jumps over the lazy dog.", completion: " Yes."), path: "x.jsonl", line: 1),
            DatasetRecord(content: .text("Hello, world!"), path: "x.jsonl", line: 2),
        ]
        let ds = try TokenizedDataset(records: records, encoder: try encoder(4))
        XCTAssertEqual(ds.examples.count, 1)
        XCTAssertEqual(ds.dropped, ["x.jsonl:1"])
        XCTAssertEqual(ds.truncatedCount, 2)
        XCTAssertEqual(ds.tokenCount, 4)
    }

    // MARK: batching

    func toyDataset(_ lengths: [Int]) -> TokenizedDataset {
        // Example i has ids 100*i + k and targets on its second half.
        TokenizedDataset(examples: lengths.enumerated().map { i, n in
            TokenizedExample(ids: (0..<n).map { 100 * (i + 1) + $0 }, lossMask: (0..<n).map { $0 >= n / 2 })
        })
    }

    func testPaddedBatches() {
        let ds = toyDataset([3, 5, 2, 4, 1])
        let batcher = Batcher(dataset: ds, batchSize: 2, maxSeqLen: 8, mode: .padded(padToMultipleOf: 4), padID: 2, seed: 7)
        let batches = batcher.batches(epoch: 0)
        XCTAssertEqual(batches.map(\.batchSize), [2, 2, 1])
        var seen: [Int] = []
        for b in batches {
            XCTAssertEqual(b.sequenceLength % 4, 0)
            for r in 0..<b.batchSize {
                let row = Array(b.row(r))
                let n = row.firstIndex(of: 2) ?? row.count
                let example = (row[0] / 100) - 1
                seen.append(example)
                XCTAssertEqual(Array(row[..<n]), ds.examples[example].ids)
                XCTAssertTrue(row[n...].allSatisfy { $0 == 2 })
                for t in 0..<b.sequenceLength {
                    let p = r * b.sequenceLength + t
                    XCTAssertEqual(b.attentionMask[p], t < n ? 1 : 0)
                    let target = t < n && ds.examples[example].lossMask[t]
                    XCTAssertEqual(b.labels[p], target ? row[t] : -100)
                    XCTAssertEqual(b.positionIDs[p], t < n ? t : 0)
                }
            }
        }
        XCTAssertEqual(seen.sorted(), [0, 1, 2, 3, 4])
        // Deterministic per (seed, epoch); another epoch or seed reorders.
        XCTAssertEqual(batcher.batches(epoch: 0), batches)
        XCTAssertEqual(batcher.order(epoch: 0), Batcher(dataset: ds, batchSize: 2, maxSeqLen: 8, padID: 2, seed: 7).order(epoch: 0))
        let orders = Set((0..<6).map { batcher.order(epoch: $0) })
        XCTAssertGreaterThan(orders.count, 1)
        XCTAssertEqual(Batcher(dataset: ds, batchSize: 2, maxSeqLen: 8, padID: 2, shuffle: false).order(epoch: 3), [0, 1, 2, 3, 4])
        XCTAssertEqual(Batcher(dataset: ds, batchSize: 2, maxSeqLen: 8, padID: 2, dropLast: true).batches(epoch: 0).count, 2)
        // targetCount: labels != -100 beyond column 0.
        let b0 = batches[0]
        var expected = 0
        for r in 0..<b0.batchSize { for t in 1..<b0.sequenceLength where b0.labels[r * b0.sequenceLength + t] != -100 { expected += 1 } }
        XCTAssertEqual(b0.targetCount, expected)
    }

    func testPackedBatchesNeverSplitExamples() {
        let lengths = [3, 5, 2, 4, 1, 6, 6]
        let ds = toyDataset(lengths)
        let batcher = Batcher(dataset: ds, batchSize: 2, maxSeqLen: 8, mode: .packed, padID: 0, seed: 11)
        var seen: [Int] = []
        for b in batcher.batches(epoch: 1) {
            XCTAssertEqual(b.sequenceLength, 8)
            for r in 0..<b.batchSize {
                var t = 0
                while t < 8 && b.attentionMask[r * 8 + t] == 1 {
                    XCTAssertEqual(b.positionIDs[r * 8 + t], 0, "an example starts here")
                    let example = b.inputIDs[r * 8 + t] / 100 - 1
                    seen.append(example)
                    for k in 0..<lengths[example] {
                        XCTAssertEqual(b.inputIDs[r * 8 + t + k], ds.examples[example].ids[k])
                        XCTAssertEqual(b.positionIDs[r * 8 + t + k], k)
                        XCTAssertEqual(b.labels[r * 8 + t + k], ds.examples[example].lossMask[k] ? ds.examples[example].ids[k] : -100)
                    }
                    t += lengths[example]
                }
                XCTAssertTrue((t..<8).allSatisfy { b.attentionMask[r * 8 + $0] == 0 && b.labels[r * 8 + $0] == -100 && b.inputIDs[r * 8 + $0] == 0 })
            }
        }
        XCTAssertEqual(seen.sorted(), Array(0..<lengths.count))
        // Unshuffled, the greedy layout is known: [3,5] [2,4,1] [6] [6].
        let fixed = Batcher(dataset: ds, batchSize: 4, maxSeqLen: 8, mode: .packed, padID: 0, shuffle: false).batches(epoch: 0)
        XCTAssertEqual(fixed.count, 1)
        XCTAssertEqual(fixed[0].batchSize, 4)
        XCTAssertEqual(fixed[0].attentionMask.reduce(0, +), lengths.reduce(0, +))
        XCTAssertEqual(Array(fixed[0].row(1).prefix(7)), [300, 301, 400, 401, 402, 403, 500])
    }

    func testSplitMix64() {
        var g = SplitMix64(seed: 0)
        XCTAssertEqual([g.next(), g.next(), g.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var h = SplitMix64(seed: 1_234_567)
        XCTAssertEqual([h.next(), h.next()], [0x599E_D017_FB08_FC85, 0x2C73_F084_5854_0FA5])
        var a = Array(0..<50), b = Array(0..<50)
        var r1 = SplitMix64(seed: 42), r2 = SplitMix64(seed: 42)
        r1.shuffle(&a); r2.shuffle(&b)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Array(0..<50))
        XCTAssertEqual(a.sorted(), Array(0..<50))
        var counts = [Int](repeating: 0, count: 3)
        var r = SplitMix64(seed: 9)
        for _ in 0..<3000 { counts[r.nextInt(below: 3)] += 1 }
        XCTAssertTrue(counts.allSatisfy { (900...1100).contains($0) }, "\(counts)")
    }
}
