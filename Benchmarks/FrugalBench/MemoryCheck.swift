// MemoryCheck — `make bench`, section 4: the training-memory estimate against reality for the
// default model's shape (SmolLM2-135M, random weights: memory depends on shapes only). For
// {qlora, lora} × {checkpointing off, on} × {micro-batch 1, 4} × {128, 256 tokens}, one full
// training step (LoRA r = 8 on q_proj, v_proj): FrugalEstimate's frugal-engine prediction, the peak
// of MemoryStats (tensor storage) and the process's peak RSS (VmHWM), with the ratios.
// Each row runs in a fresh child process, so its RSS holds only its own model and step. RSS:
// VmHWM is reset before the step by writing "5" to /proc/self/clear_refs (Linux; a row where that
// is refused is marked *, its column then the process's whole peak). RSS is shown as the growth
// over the RSS before the model was built, so it compares with the other columns. RSS exceeds the
// ledger by what the ledger leaves out: malloc's retained heap, the BLAS's packing buffers, Swift
// arrays (RMSNorm statistics, per-row losses), code.
// The same check, as an assertion, is FrugalTrainTests/EstimateVsMeasuredTests.
import Foundation
import FrugalCore
import FrugalEstimate
import FrugalModels
import FrugalSpec
import FrugalTrain

enum MemoryCheck {
    /// A field of /proc/self/status in bytes (VmHWM, VmRSS), nil off Linux.
    static func status(_ field: String) -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    /// Resets VmHWM to the current RSS; false when the kernel refuses.
    static func resetPeakRSS() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("5".utf8))) != nil
    }

    static let header = "method ckpt  B    T   predicted   measured  pred/meas   peak RSS Δ  pred/RSS   step s"

    /// Every row, each in a child process of its own (`FrugalBench memory-row METHOD CKPT B T`), so
    /// that no row's RSS includes what an earlier row's model, buffer pool or heap left behind.
    static func run() {
        print("\n## training memory: estimate (frugal engine) vs MemoryStats peak vs process peak RSS")
        print("SmolLM2-135M shape, random weights, one step (forward, backward, AdamW), LoRA r=8 on q_proj, v_proj")
        print("each row in a fresh process")
        print(header)
        fflush(stdout)   // the children write to the same stdout
        for method in ["qlora", "lora"] {
            for ckpt in ["off", "on"] {
                for b in [1, 4] {
                    for t in [128, 256] {
                        let p = Process()
                        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                        p.arguments = ["memory-row", method, ckpt, "\(b)", "\(t)"]
                        do { try p.run(); p.waitUntilExit() } catch { print("memory row \(method) \(ckpt) \(b) \(t) failed: \(error)") }
                    }
                }
            }
        }
        print("peak RSS Δ: VmHWM of the row's process during its step (reset through /proc/self/clear_refs before it,")
        print("marked * where that was refused: then the process's whole peak) − its VmRSS before the model was built")
    }

    /// One row: builds the model (4-bit block linears for qlora), attaches the adapter, runs one step.
    static func row(method methodName: String, ckpt ckptName: String, batch b: Int, tokens t: Int) throws {
        guard let method = TrainingMethod(rawValue: methodName), methodName == "qlora" || methodName == "lora",
              ckptName == "on" || ckptName == "off", b > 0, t > 0 else {
            print("memory-row: expected qlora|lora on|off BATCH TOKENS, got \(methodName) \(ckptName) \(b) \(t)")
            return
        }
        let ckpt = ckptName == "on"
        let config = try ModelPreset.named("SmolLM2-135M").config
        let rssBefore = status("VmRSS") ?? 0
        let baseline = MemoryStats.current
        let model = DecoderModel(randomlyInitialized: config, rng: RandomGenerator(seed: 6))
        if method == .qlora {
            try model.quantizeBlockLinears(type: .nf4, blockSize: 64, doubleQuant: true)
            // the released Float32 block weights go back to the OS, as if the model had been loaded
            // in 4 bits (a real QLoRA run never holds them): the pool would otherwise keep ~420 MB
            BufferPool.trim()
        }
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, targets: ["q_proj", "v_proj"]), seed: 1)
        let n = b * t, v = config.vocabSize
        let ids = (0..<n).map { Int32(($0 &* 7919 &+ 13) % v) }
        let labels = (0..<n).map { Int32(($0 &* 104_729 &+ 1) % v) }
        var options = TrainOptions()
        options.steps = 1
        options.checkpointing = ckpt
        let trainer = try Trainer(model: model, adapter: adapter, train: [TokenBatch(ids: ids, labels: labels, batch: b)],
                                  options: options)
        let resettable = resetPeakRSS()
        let t0 = Date()
        let metrics = try trainer.trainStep()
        let seconds = Date().timeIntervalSince(t0)
        let rss = Double((status("VmHWM") ?? 0) - rssBefore)
        let measured = Double(metrics.peakMemoryBytes - baseline)
        let o = TrainingOptions(method: method, batch: b, seqLen: t, dtype: .fp32, optimizer: .adamw, rank: 8,
                                targets: ["q_proj", "v_proj"], gradientCheckpointing: ckpt, adapterDType: .fp32,
                                engine: .frugal)
        let predicted = try TrainingMemory.estimate(config, o).memory.total
        print(String(format: "%-6@ %-4@ %d  %4d  %7.1f MB %7.1f MB   %6.3f   %7.1f MB%@   %6.3f   %6.2f",
                     method.rawValue as NSString, ckptName as NSString, b, t, predicted / 1e6,
                     measured / 1e6, predicted / measured, rss / 1e6, (resettable ? " " : "*") as NSString,
                     rss > 0 ? predicted / rss : 0, seconds))
    }
}

func runMemoryCheck() { MemoryCheck.run() }
