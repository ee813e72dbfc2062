// TokenizerBench — `FrugalBench tokenizer`: encoding throughput on ~1 MB of mixed text (code,
// English, accents, Cyrillic, Greek, CJK, emoji, digit runs, CRLF/tab runs) with a Llama-3-style
// tokenizer (Split with the Llama 3 regex + ByteLevel, ignore_merges), Frugal against HF
// `tokenizers` (Rust, one thread), in one run: Benchmarks/tokenizer_bench.py prepares the text and
// tokenizer (once, into $FRUGAL_TOKBENCH_DIR, default /tmp/frugal-tokbench) and times HF's side.
// The two sides alternate for several rounds (other work on the machine hits both alike) and the
// medians are reported. Each round, each side loads the tokenizer afresh and encodes the whole
// text twice: cold (empty word cache) and warm (cache filled). Frugal's ids are checked against
// HF's first.
// Python: $FRUGAL_PYTHON (default reference/.venv/bin/python if present, else python3) with
// tokenizers 0.23.3 installed.
import Foundation
import FrugalText

enum TokenizerBench {
    static func run(rounds: Int = 7) throws {
        let env = ProcessInfo.processInfo.environment
        let dir = env["FRUGAL_TOKBENCH_DIR"] ?? "/tmp/frugal-tokbench"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("tokenizer_bench.py").path
        let venv = root.deletingLastPathComponent().appendingPathComponent("reference/.venv/bin/python").path
        let python = env["FRUGAL_PYTHON"] ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3")
        print("\n## tokenizer: encode ~1 MB of mixed text, Llama-3-style pipeline, one thread (median of \(rounds) alternating rounds)")
        if !FileManager.default.fileExists(atPath: dir + "/ids.bin") {
            guard let out = runPython(python, [script, "prepare", dir]) else { print("  skipped: \(python) \(script) prepare failed"); return }
            print("  prepared: \(out.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let tok = try BPETokenizer(tokenizerJSON: URL(fileURLWithPath: dir + "/tokenizer.json"))
        let text = try String(contentsOfFile: dir + "/text.txt", encoding: .utf8)
        let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/ids.bin"))
        let expected: [Int] = raw.withUnsafeBytes { p in
            (0..<(raw.count / 4)).map { Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        let megabytes = Double(text.utf8.count) / 1e6
        let ids = tok.encode(text, addSpecialTokens: false)  // also the warm-up
        print("  \(text.utf8.count) bytes, vocabulary \(tok.vocabularySize), \(ids.count) tokens; ids equal HF's: \(ids == expected ? "yes" : "NO")")
        var frugal: [Double] = [], frugalCold: [Double] = [], hf: [Double] = [], hfCold: [Double] = []
        for _ in 0..<rounds {
            let fresh = try BPETokenizer(tokenizerJSON: URL(fileURLWithPath: dir + "/tokenizer.json"))
            frugalCold.append(seconds { _ = fresh.encode(text, addSpecialTokens: false) })
            frugal.append(seconds { _ = fresh.encode(text, addSpecialTokens: false) })
            if let out = runPython(python, [script, "run", dir]),
               let obj = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
               let s = (obj["seconds"] as? NSNumber)?.doubleValue, let c = (obj["cold_seconds"] as? NSNumber)?.doubleValue {
                hf.append(s); hfCold.append(c)
            }
        }
        func median(_ a: [Double]) -> Double { a.sorted()[a.count / 2] }
        func row(_ name: String, _ warm: [Double], _ cold: [Double]) {
            print(String(format: "  %@ warm %6.3f s %6.2f MB/s   cold %6.3f s %6.2f MB/s   (warm rounds: %@)",
                         name, median(warm), megabytes / median(warm), median(cold), megabytes / median(cold),
                         warm.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        }
        row("Frugal       ", frugal, frugalCold)
        guard !hf.isEmpty else { print("  HF tokenizers: skipped (\(python) could not run \(script))"); return }
        row("HF tokenizers", hf, hfCold)
        print(String(format: "  Frugal / HF speed: warm %.2f×, cold %.2f×", median(hf) / median(frugal),
                     median(hfCold) / median(frugalCold)))
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Runs `python args…` with one thread for the Rust side; its stdout, or nil on failure.
    private static func runPython(_ python: String, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python] + args
        var env = ProcessInfo.processInfo.environment
        env["RAYON_NUM_THREADS"] = "1"
        env["TOKENIZERS_PARALLELISM"] = "false"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
