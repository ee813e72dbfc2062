// MemoryCheck — `make bench`, section 4: the training-memory estimate against reality for the
// default model's shape (SmolLM2-135M, random weights: memory depends on shapes only). For
// {qlora, lora} × {checkpointing off, on} × {micro-batch 1, 4} × {128, 256 tokens}, one full
// training step (LoRA r = 8 on q_proj, v_proj): FrugalEstimate's frugal-engine prediction, the peak
// of MemoryStats (tensor storage) and the process's peak RSS (VmHWM), with the ratios.
// RSS: VmHWM is reset before every step by writing "5" to /proc/self/clear_refs (Linux); where
// that is refused the column is the process's cumulative peak, as the footnote says. RSS is shown
// as the growth over the RSS before the model was built, so it compares with the other columns.
// RSS exceeds the ledger by what the ledger leaves out: malloc's retained heap, OpenBLAS's
// buffers, Swift arrays (RMSNorm statistics, per-row losses), code.
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

    static func run() throws {
        print("\n## training memory: estimate (frugal engine) vs MemoryStats peak vs process peak RSS")
        print("SmolLM2-135M shape, random weights, one step (forward, backward, AdamW), LoRA r=8 on q_proj, v_proj")
        let config = try ModelPreset.named("SmolLM2-135M").config
        let rssBefore = status("VmRSS") ?? 0
        var resettable = true
        print("method ckpt  B    T   predicted   measured  pred/meas   peak RSS Δ  pred/RSS   step s")
        for method in [TrainingMethod.qlora, .lora] {
            let baseline = MemoryStats.current
            let model = LlamaModel(randomlyInitialized: config, rng: RandomGenerator(seed: 6))
            if method == .qlora { try model.quantizeBlockLinears(type: .nf4, blockSize: 64, doubleQuant: true) }
            let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, targets: ["q_proj", "v_proj"]), seed: 1)
            for ckpt in [false, true] {
                for b in [1, 4] {
                    for t in [128, 256] {
                        let n = b * t, v = config.vocabSize
                        let ids = (0..<n).map { Int32(($0 &* 7919 &+ 13) % v) }
                        let labels = (0..<n).map { Int32(($0 &* 104_729 &+ 1) % v) }
                        var options = TrainOptions()
                        options.steps = 1
                        options.checkpointing = ckpt
                        let trainer = try Trainer(model: model, adapter: adapter, train: [TokenBatch(ids: ids, labels: labels, batch: b)],
                                                  options: options)
                        resettable = resettable && resetPeakRSS()
                        let t0 = Date()
                        let metrics = try trainer.trainStep()
                        let seconds = Date().timeIntervalSince(t0)
                        let rss = Double((status("VmHWM") ?? 0) - rssBefore)
                        let measured = Double(metrics.peakMemoryBytes - baseline)
                        let o = TrainingOptions(method: method, batch: b, seqLen: t, dtype: .fp32, optimizer: .adamw, rank: 8,
                                                targets: ["q_proj", "v_proj"], gradientCheckpointing: ckpt, adapterDType: .fp32,
                                                engine: .frugal)
                        let predicted = try TrainingMemory.estimate(config, o).memory.total
                        print(String(format: "%-6@ %-4@ %d  %4d  %7.1f MB %7.1f MB   %6.3f   %7.1f MB    %6.3f   %6.2f",
                                     method.rawValue as NSString, (ckpt ? "on" : "off") as NSString, b, t, predicted / 1e6,
                                     measured / 1e6, predicted / measured, rss / 1e6, rss > 0 ? predicted / rss : 0, seconds))
                    }
                }
            }
        }
        print(resettable
              ? "peak RSS Δ: VmHWM during the step (reset through /proc/self/clear_refs before it) − VmRSS before the model was built"
              : "peak RSS Δ: /proc/self/clear_refs was refused, so VmHWM is the process's CUMULATIVE peak so far − VmRSS before the model")
    }
}

func runMemoryCheck() {
    do { try MemoryCheck.run() } catch { print("memory check failed: \(error)") }
}
