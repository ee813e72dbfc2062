// ModelBench — the default model (SmolLM2-135M-Instruct) end to end:
//   inference: prompt processing and decode tokens/s, 128-token prompt, 128 new tokens (greedy, EOS
//   ignored), with Float32 weights and with the block linears held in 4 bits (NF4 + double quant);
//   fine-tuning: tokens/s and peak memory (Frugal's accounting and the process's peak RSS) at
//   micro-batch 4 × 128 tokens, r 8, alpha 16, all seven projections, for QLoRA with and without
//   checkpointing, LoRA and full. Each fine-tuning configuration runs in a fresh process
//   (`FrugalBench finetune CONFIG`) so its peak RSS is its own. A CONFIG ending in -drop (e.g.
//   qlora-drop) uses LoRA dropout 0.05, `frugal finetune`'s default, instead of 0. `FrugalBench serve
//   CONFIG` runs one configuration a step at a time on request (compare_finetune.py's lockstep mode).
// Diagnostics: FRUGAL_BENCH_SPLIT=1 with `generate` prints where a decoded token's time goes (blocks,
// head); FRUGAL_BENCH_POOL=1 with `finetune` prints the buffer pool's hits and misses; FRUGAL_PROFILE=1
// with `finetune` prints milliseconds per step by autograd op, forward and backward (OpProfile).
// `FrugalBench ab CONFIG SWITCH` compares a switch's two settings in one process, steps alternating
// (this VM's speed drifts too much between processes to see a few percent): SWITCH is inplace
// (gradient sums added in place), skinny (LoRA and attention thin kernels) or group (grouped LoRA);
// FRUGAL_AB_STEPS steps of each (default 8).
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels
import FrugalTrain

enum ModelBench {
    static func peakRSS() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    static func inference() throws {
        print("\n## inference, default model, 128-token prompt, 128 new tokens")
        let prompt: [Int32] = (0..<128).map { Int32(100 + ($0 * 37) % 20000) }
        for quantized in [false, true] {
            let model = quantized ? try DecoderModel.load4Bit("default") : try DecoderModel.load("default")
            if quantized { try model.quantizeHeadForDecoding() }
            _ = model.generate(prompt: Array(prompt.prefix(8)), maxTokens: 4, eos: [])   // warm up
            let r = model.generate(prompt: prompt, maxTokens: 128, eos: [])
            print(String(format: "%@  prompt %.1f tokens/s   decode %.1f tokens/s", quantized ? "4-bit linears, 8-bit head" : "Float32 weights          ",
                         128 / r.promptSeconds, Double(r.tokens.count) / r.decodeSeconds))
        }
    }

    /// One inference configuration ("fp32" or "nf4") in this process, three rounds; prints the best
    /// prompt and decode rates as one JSON line (read by Benchmarks/compare_inference.py).
    static func generate(_ name: String) throws {
        let model = name == "nf4" ? try DecoderModel.load4Bit("default") : try DecoderModel.load("default")
        if name == "nf4" { try model.quantizeHeadForDecoding() }
        let prompt: [Int32] = (0..<128).map { Int32(100 + ($0 * 37) % 20000) }
        _ = model.generate(prompt: Array(prompt.prefix(8)), maxTokens: 4, eos: [])   // warm up
        var bestPrompt = 0.0, bestDecode = 0.0
        for _ in 0..<3 {
            let r = model.generate(prompt: prompt, maxTokens: 128, eos: [])
            bestPrompt = max(bestPrompt, 128 / r.promptSeconds)
            bestDecode = max(bestDecode, Double(r.tokens.count) / r.decodeSeconds)
        }
        if ProcessInfo.processInfo.environment["FRUGAL_BENCH_SPLIT"] != nil {
            // Where a decoded token's time goes: the blocks, then the head.
            let cache = KVCache(config: model.config, maxTokens: 300)
            _ = model.nextTokenLogits(prompt, cache: cache)
            var tBlocks = 0.0, tHead = 0.0
            withoutGrad {
                for i in 0..<128 {
                    var h: Tensor! = nil
                    tBlocks += seconds { h = model.hiddenStates(ids: [prompt[i]], batch: 1, cache: cache) }
                    tHead += seconds { _ = model.decodingLogits(h.reshaped([1, model.config.hiddenSize])) }
                }
            }
            print(String(format: "per token: blocks %.2f ms, head %.2f ms", tBlocks / 128 * 1e3, tHead / 128 * 1e3))
        }
        print(String(format: "{\"engine\": \"frugal-%@\", \"prompt_tokens_per_s\": %.2f, \"decode_tokens_per_s\": %.2f}",
                     name, bestPrompt, bestDecode))
    }

    static let configs = ["qlora", "qlora-ckpt", "lora", "lora-ckpt", "full"]

    /// One fine-tuning configuration (in this process): 1 warm-up step, then 5 timed steps; prints
    /// tokens/s of the fastest step (this VM's speed drifts by ±20% over seconds, so the best step
    /// is the steadiest figure) and of all five together. torch_finetune.py prints the same.
    static func finetune(_ name: String) throws {
        let trainer = try benchTrainer(name, steps: 6)
        OpProfile.reset()
        Gemm.profiling = OpProfile.enabled; Gemm.resetProfile()
        var peak = 0
        var times: [Double] = []
        for _ in 0..<5 {
            let t0 = Date()
            peak = max(peak, try trainer.trainStep().peakMemoryBytes)
            times.append(Date().timeIntervalSince(t0))
        }
        let tokens = Double(4 * 129)
        print(String(format: "%-11@ %8.1f tokens/s (best step; all 5 steps %.1f)   tensor peak %6.2f GB   peak RSS %6.2f GB",
                     name as NSString, tokens / times.min()!, 5 * tokens / times.reduce(0, +), Double(peak) / 1e9,
                     Double(peakRSS()) / 1e9))
        if OpProfile.enabled {
            print(OpProfile.report(steps: 5))
            print(String(format: "sgemm: %.1f ms/step, %.1f GFLOP/step, %.1f GFLOP/s inside sgemm; step %.1f ms (all 5 steps)",
                         Double(Gemm.nanoseconds) / 5e6, Gemm.flops / 5e9, Gemm.flops / Double(Gemm.nanoseconds),
                         times.reduce(0, +) / 5 * 1e3))
            for (k, e) in Gemm.byShape.sorted(by: { $0.value.ns > $1.value.ns }).prefix(25) {
                print(String(format: "  %-34@ %5d calls %8.1f ms/step", k as NSString, e.calls / 5, Double(e.ns) / 5e6))
            }
        }
        if ProcessInfo.processInfo.environment["FRUGAL_BENCH_POOL"] != nil {
            print("buffer pool: \(BufferPool.hits) hits, \(BufferPool.misses) misses, \(BufferPool.cachedBytes >> 20) MB cached")
        }
    }

    /// The trainer of one configuration, after its warm-up step.
    static func benchTrainer(_ name: String, steps: Int) throws -> Trainer {
        let model = name.hasPrefix("qlora") ? try DecoderModel.load4Bit("default") : try DecoderModel.load("default")
        var adapter: LoRAAdapter? = nil
        if name == "full" { for (_, t) in model.namedTensors { t.requiresGrad = true } }
        else { adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, dropout: name.hasSuffix("-drop") ? 0.05 : 0, targets: ["all-linear"]), seed: 0) }
        let rng = RandomGenerator(seed: 1)
        let batches = (0..<4).map { _ in TokenBatch(sequences: (0..<4).map { _ in (0..<129).map { _ in Int32(rng.next() % 49152) } }) }
        var o = TrainOptions(); o.steps = steps; o.checkpointing = name.contains("-ckpt"); o.shuffle = false
        let trainer = try Trainer(model: model, adapter: adapter, train: batches, options: o)
        _ = try trainer.trainStep()
        return trainer
    }

    /// `FrugalBench serve CONFIG`: the lockstep side of compare_finetune.py. After the warm-up step it
    /// prints "ready", then runs one step per line read on stdin and prints "step SECONDS"; at the end
    /// of input, "done tokens N rss BYTES tensor BYTES". torch_finetune.py CONFIG DIR --serve speaks the same.
    static func serve(_ name: String) throws {
        let trainer = try benchTrainer(name, steps: 1_000_000)
        var peak = 0
        print("ready"); fflush(stdout)
        while readLine() != nil {
            let t0 = Date()
            peak = max(peak, try trainer.trainStep().peakMemoryBytes)
            print(String(format: "step %.6f", Date().timeIntervalSince(t0))); fflush(stdout)
        }
        print("done tokens \(4 * 129) rss \(peakRSS()) tensor \(peak)"); fflush(stdout)
    }

    /// One configuration, steps alternating between a switch's two settings (after a warm-up step
    /// of each): tokens/s of the fastest and the median step of each setting.
    static func ab(_ name: String, _ switchName: String, steps: Int = Int(ProcessInfo.processInfo.environment["FRUGAL_AB_STEPS"] ?? "") ?? 8) throws {
        let set: (Bool) -> Void
        switch switchName {
        case "inplace": set = { Tensor.accumulatesInPlace = $0 }
        case "skinny": set = { SkinnyGemm.enabled = $0 }
        case "group": set = { DecoderBlock.groupsLowRankBranches = $0 }
        default: print("unknown switch \(switchName): inplace, skinny or group"); return
        }
        let model = name.hasPrefix("qlora") ? try DecoderModel.load4Bit("default") : try DecoderModel.load("default")
        var adapter: LoRAAdapter? = nil
        if name == "full" { for (_, t) in model.namedTensors { t.requiresGrad = true } }
        else { adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, dropout: 0, targets: ["all-linear"]), seed: 0) }
        let rng = RandomGenerator(seed: 1)
        let batches = (0..<4).map { _ in TokenBatch(sequences: (0..<4).map { _ in (0..<129).map { _ in Int32(rng.next() % 49152) } }) }
        var o = TrainOptions(); o.steps = 2 * steps + 2; o.checkpointing = name.hasSuffix("-ckpt"); o.shuffle = false
        let trainer = try Trainer(model: model, adapter: adapter, train: batches, options: o)
        var times: [Bool: [Double]] = [true: [], false: []]
        for i in 0..<(2 * steps + 2) {
            let on = i % 2 == 0
            set(on)
            let t0 = Date()
            _ = try trainer.trainStep()
            if i >= 2 { times[on]!.append(Date().timeIntervalSince(t0)) }
        }
        let tokens = Double(4 * 129)
        for on in [true, false] {
            let t = times[on]!.sorted()
            print(String(format: "%@ %@ %@: fastest %.1f tokens/s, median %.1f tokens/s (%d steps)", name, switchName,
                         on ? "on " : "off", tokens / t[0], tokens / t[t.count / 2], t.count))
        }
    }

    /// Runs every fine-tuning configuration in a child process.
    static func finetuneAll() {
        print("\n## fine-tuning, default model, micro-batch 4 × 128 tokens, r 8, alpha 16, all seven projections")
        fflush(stdout)   // the children write to the same stdout
        for c in configs {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            p.arguments = ["finetune", c]
            try? p.run()
            p.waitUntilExit()
        }
    }
}
