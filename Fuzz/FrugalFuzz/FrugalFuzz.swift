// FrugalFuzz — coverage-guided fuzzing of every parser of untrusted input (issue 23), one
// executable for all targets:
//   gguf          GGUFFile (then its ModelConfig and tokenizer metadata)
//   safetensors   SafetensorsFile (then every floating-point tensor converted)
//   config        an HF config.json → ModelConfig
//   tokenizer     an HF tokenizer.json → BPETokenizer (then encode/decode a sample)
//   template      a Jinja chat template → ChatTemplate (then render a short conversation)
//   jsonl         JSONL training records
//   adapter       a PEFT adapter_config.json → LoRAConfig
// Built with libFuzzer (`make fuzz`: -sanitize=fuzzer,address and -DFRUGAL_LIBFUZZER), the main
// below hands the target's callback to libFuzzer's driver: `FrugalFuzz TARGET [libFuzzer args…]`.
// Built normally (every `swift build`), it replays files instead: `FrugalFuzz TARGET FILE…` runs
// each file once, so a crash found by the fuzzer is a one-line regression check.
// Contract of every target: any input ends in a value or a thrown error — never a trap, a hang
// or an allocation sized by an unchecked field.
import Foundation
import FrugalIO
import FrugalSpec
import FrugalText
import FrugalTrain

enum FuzzTargets {
    static let names = ["gguf", "safetensors", "config", "tokenizer", "template", "jsonl", "adapter"]
    nonisolated(unsafe) static var current = ""
    /// A per-process scratch file for the readers that take a path (memory-mapped).
    static let scratch: String = {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return (dir as NSString).appendingPathComponent("frugal-fuzz-\(getpid()).bin")
    }()

    static func run(_ data: Data) {
        switch current {
        case "gguf":
            guard (try? data.write(to: URL(fileURLWithPath: scratch))) != nil else { return }
            guard let f = try? GGUFFile(path: scratch) else { return }
            _ = try? f.modelConfig()
            _ = try? f.tokenizerMetadata()
            for v in f.metadata.values { _ = v.summary }
            for t in f.tensors.prefix(8) where t.byteCount <= 1 << 20 { _ = try? f.loadFloat32(t) }
        case "safetensors":
            guard (try? data.write(to: URL(fileURLWithPath: scratch))) != nil else { return }
            guard let f = try? SafetensorsFile(path: scratch) else { return }
            for t in f.tensors.prefix(8) where t.byteCount <= 1 << 20 { _ = try? f.loadFloat32(t.name) }
        case "config":
            _ = try? ModelConfig(hfConfigJSON: data, source: "config.json")
        case "tokenizer":
            guard let t = try? BPETokenizer(tokenizerJSONData: data) else { return }
            let ids = t.encode("Hello, world! 123 héllo ✓")
            _ = t.decode(ids)
        case "template":
            guard let template = try? ChatTemplate(template: String(decoding: data, as: UTF8.self)) else { return }
            _ = try? template.render([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")],
                                     addGenerationPrompt: true)
        case "jsonl":
            _ = try? JSONLDatasetReader.parse(data, path: "train.jsonl")
        case "adapter":
            _ = try? PEFTAdapterConfig.loraConfig(from: data)
        default:
            break
        }
    }
}

#if FRUGAL_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

@main
struct FrugalFuzz {
    static func main() {
        var args = CommandLine.arguments
        guard args.count >= 2, FuzzTargets.names.contains(args[1]) else {
            FileHandle.standardError.write(Data("usage: FrugalFuzz TARGET [FILE… | libFuzzer options]; TARGET is one of \(FuzzTargets.names.joined(separator: ", "))\n".utf8))
            exit(2)
        }
        FuzzTargets.current = args.remove(at: 1)
        defer { unlink(FuzzTargets.scratch) }
        #if FRUGAL_LIBFUZZER
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var argc = Int32(args.count)
        let rc = cArgs.withUnsafeMutableBufferPointer { buf -> Int32 in
            var argv = buf.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                FuzzTargets.run(size == 0 || data == nil ? Data() : Data(bytes: data!, count: size))
                return 0
            }
        }
        exit(rc)
        #else
        var files: [String] = []
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for f in files {
            guard let d = FileManager.default.contents(atPath: f) else { continue }
            FuzzTargets.run(d)
        }
        print("\(FuzzTargets.current): \(files.count) inputs, no crash")
        #endif
    }
}
