// LoRA layer and adapter: PEFT's init (A ~ U(±1/√in), B = 0), scaling (alpha/r, alpha/√r),
// the forward formula, freezing, targets, names, seeded dropout, merge/unmerge, safe merge, swapping.
import XCTest
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class LoRALayerTests: XCTestCase {
    func testInitMatchesPEFTAndStepZeroEqualsBaseExactly() throws {
        let model = Tiny.model()
        let ids = Tiny.ids(20, seed: 1)
        let before = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, targets: ["all-linear"]), seed: 9)
        XCTAssertEqual(adapter.entries.count, 2 * 7)
        for e in adapter.entries {
            let a = e.layer.loraA, b = e.layer.loraB
            XCTAssertEqual(a.shape, [4, e.layer.inFeatures]); XCTAssertEqual(b.shape, [e.layer.outFeatures, 4])
            let bound = 1 / Float(e.layer.inFeatures).squareRoot()
            XCTAssertTrue(a.scalars.allSatisfy { abs($0) <= bound })
            XCTAssertGreaterThan(a.scalars.map(abs).max()!, 0.8 * bound, "A should fill U(−1/√in, 1/√in)")
            XCTAssertTrue(b.scalars.allSatisfy { $0 == 0 })
            XCTAssertEqual(e.layer.scaling, 2)
        }
        let after = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        XCTAssertEqual(before, after, "B = 0: the adapted model equals its base bit for bit")
        // The training forward (rng-aware checkpointing) is the same computation as DecoderModel's.
        XCTAssertEqual(withoutGrad { model.logits(ids: ids, batch: 2) }.scalars, after)
    }

    func testForwardIsBasePlusScaledLowRankUpdate() {
        let rng = RandomGenerator(seed: 4)
        let base = Linear(weight: Tensor.randn([5, 7], rng: rng), bias: Tensor.randn([5], rng: rng))
        let a = Tensor.randn([3, 7], rng: rng), b = Tensor.randn([5, 3], rng: rng)
        let layer = LoRALinear(base: base, a: a, b: b, scaling: 0.75, dropout: 0, dropoutRNG: rng)
        let x = Tensor.randn([2, 4, 7], rng: rng)
        let y = withoutGrad { layer(x) }
        let xs = x.scalars, w = base.weight.scalars, bias = base.bias!.scalars, av = a.scalars, bv = b.scalars
        for r in 0..<8 {
            for o in 0..<5 {
                var ref = Double(bias[o])
                for i in 0..<7 { ref += Double(xs[r * 7 + i]) * Double(w[o * 7 + i]) }
                for k in 0..<3 {
                    var ax = 0.0
                    for i in 0..<7 { ax += Double(xs[r * 7 + i]) * Double(av[k * 7 + i]) }
                    ref += 0.75 * Double(bv[o * 3 + k]) * ax
                }
                XCTAssertEqual(Double(y.scalars[r * 5 + o]), ref, accuracy: 1e-4)
            }
        }
    }

    func testScalingAlphaOverRAndRSLoRA() throws {
        XCTAssertEqual(LoRAConfig(rank: 16, alpha: 32).scaling, 2)
        XCTAssertEqual(LoRAConfig(rank: 16, alpha: 32, useRSLoRA: true).scaling, 8)
        XCTAssertEqual(LoRAConfig(rank: 64, alpha: 16, useRSLoRA: true).scaling, 2)
        XCTAssertEqual(LoRAConfig().scaling, 1, "PEFT defaults r = 8, alpha = 8")
        let model = Tiny.model()
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 6, useRSLoRA: true, targets: ["q"]), seed: 1)
        XCTAssertEqual(adapter.entries[0].layer.scaling, 3)
    }

    func testTargetsResolveShortFullAndAllLinear() throws {
        XCTAssertEqual(try LoRATarget.resolve(["q,v"]), [.qProj, .vProj])
        XCTAssertEqual(try LoRATarget.resolve(["v_proj", "q_proj", "q"]), [.qProj, .vProj])
        XCTAssertEqual(try LoRATarget.resolve(["gate, up,down"]), [.gateProj, .upProj, .downProj])
        XCTAssertEqual(try LoRATarget.resolve(["all-linear"]), LoRATarget.allCases.filter(\.isBlockLinear))
        // The embedding and the head are adapted only when named (PEFT's all-linear leaves the head out).
        XCTAssertEqual(try LoRATarget.resolve(["all-linear,lm_head", "embed_tokens"]), LoRATarget.allCases)
        XCTAssertEqual(LoRATarget.oProj.modulePath(in: .llama), "self_attn.o_proj")
        XCTAssertEqual(LoRATarget.downProj.modulePath(in: .gemma3), "mlp.down_proj")
        XCTAssertThrowsError(try LoRATarget.resolve(["q_proj", "lm_heads"])) { error in
            XCTAssertEqual(error as? LoRAError, .unknownTarget("lm_heads", valid: LoRATarget.validNames))
            let msg = "\(error)"
            XCTAssertTrue(msg.contains("lm_head") && msg.contains("gate_proj") && msg.contains("all-linear"), msg)
        }
        XCTAssertThrowsError(try LoRATarget.resolve([" , "])) { XCTAssertEqual($0 as? LoRAError, .noTargets) }
        XCTAssertThrowsError(try LoRAConfig(rank: 0).validated())
        XCTAssertThrowsError(try LoRAConfig(dropout: 1).validated())
        XCTAssertThrowsError(try LoRAConfig(alpha: .nan).validated())
    }

    func testNamesFreezingAndOnlyAdapterGetsGradients() throws {
        let model = Tiny.model()
        let config = LoRAConfig(rank: 4, alpha: 8, targets: ["q_proj", "k", "v", "o"])
        let adapter = try LoRAAdapter.attach(to: model, config: config, seed: 2)
        let names = adapter.peftNamedTensors.map(\.0)
        XCTAssertEqual(names.first, "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
        XCTAssertEqual(names[1], "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight")
        XCTAssertEqual(names.last, "base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight")
        // r·(in + out) per layer: q, o 48→48; k, v 48→16 (2 KV heads of 8).
        XCTAssertEqual(adapter.parameterCount, 2 * 4 * ((48 + 48) * 2 + (48 + 16) * 2))
        // The model keeps its base names and adds the adapter's.
        let modelNames = Set(model.namedTensors.map(\.0))
        XCTAssertTrue(modelNames.contains("model.layers.0.self_attn.q_proj.weight"))
        XCTAssertTrue(modelNames.contains("model.layers.0.self_attn.q_proj.lora_A.weight"))
        XCTAssertFalse(modelNames.contains("model.layers.0.mlp.up_proj.lora_A.weight"))
        XCTAssertEqual(model.trainableTensors.map(\.0), adapter.namedTensors.map(\.0), "only A and B train")
        // Make B non-zero so that A gets a gradient too, then backpropagate.
        for e in adapter.entries { e.layer.loraB.data.update(repeating: 0.01, count: e.layer.loraB.count) }
        let batch = Tiny.textBatch(Tiny.text, rows: 2, t: 12)
        model.logits(ids: batch.ids, batch: 2)
            .crossEntropy(targets: batch.labels).backward()
        let own = Set(adapter.tensors.map { ObjectIdentifier($0) })
        for (name, t) in model.namedTensors {
            if own.contains(ObjectIdentifier(t)) {
                XCTAssertNotNil(t.grad, name)
                XCTAssertGreaterThan(t.grad!.scalars.map(abs).max()!, 0, name)
            } else {
                XCTAssertFalse(t.requiresGrad, name); XCTAssertNil(t.grad, name)
            }
        }
    }

    func testDropoutIsSeededAndOffInEvaluation() throws {
        func outputs(seed: UInt64, training: Bool) throws -> [Float] {
            let model = Tiny.model()
            let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, dropout: 0.3, targets: ["q", "v"]), seed: seed)
            for e in adapter.entries { e.layer.loraB.data.update(repeating: 0.05, count: e.layer.loraB.count) }
            adapter.setTraining(training)
            return withoutGrad { model.logits(ids: Tiny.ids(16, seed: 3), batch: 1) }.scalars
        }
        XCTAssertEqual(try outputs(seed: 5, training: true), try outputs(seed: 5, training: true))
        XCTAssertNotEqual(try outputs(seed: 5, training: true), try outputs(seed: 5, training: false))
        // A different seed draws different A and different masks; in evaluation only A differs, so compare trained runs.
        XCTAssertNotEqual(try outputs(seed: 5, training: true), try outputs(seed: 6, training: true))
        // The mask drops about p of the LoRA input and scales the rest by 1/(1−p).
        let rng = RandomGenerator(seed: 1)
        let x = Tensor.full([10_000], 1)
        let y = withoutGrad { x.dropout(0.3, rng: rng) }.scalars
        let dropped = Float(y.filter { $0 == 0 }.count) / 10_000
        XCTAssertEqual(dropped, 0.3, accuracy: 0.02)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
    }

    func testMergeEqualsUnmergedForwardAndUnmergeRestores() throws {
        let model = Tiny.model()
        let base = Tiny.snapshot(model.namedTensors)
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 16, targets: ["all-linear"]), seed: 3)
        Tiny.randomizeB(adapter, seed: 8, scale: 0.05)
        let ids = Tiny.ids(24, seed: 2)
        let unmerged = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        XCTAssertNotEqual(unmerged, withoutGrad { adapter.detach(); defer { try? adapter.attach(to: model) }; return model.logits(ids: ids, batch: 2) }.scalars)
        try adapter.merge()
        XCTAssertTrue(adapter.isMerged)
        let merged = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        for (x, y) in zip(unmerged, merged) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        // With the adapter detached the merged base alone gives the same logits (a "fused" model).
        adapter.detach()
        let fused = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        XCTAssertEqual(fused, merged)
        try adapter.attach(to: model)
        XCTAssertThrowsError(try adapter.merge()) { XCTAssertEqual($0 as? LoRAError, .mergeState(expectedMerged: false)) }
        try adapter.unmerge()
        for (name, t) in model.namedTensors where base[name] != nil {
            for (x, y) in zip(t.scalars, base[name]!) { XCTAssertEqual(x, y, accuracy: 1e-6, name) }
        }
        XCTAssertThrowsError(try adapter.unmerge()) { XCTAssertEqual($0 as? LoRAError, .mergeState(expectedMerged: true)) }
    }

    func testSafeMergeRefusesNaNAndChangesNothing() throws {
        let model = Tiny.model()
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 2, alpha: 2, targets: ["q", "down"]), seed: 1)
        let before = Tiny.snapshot(model.namedTensors)
        adapter.entries[0].layer.loraB.data.update(repeating: 0.1, count: adapter.entries[0].layer.loraB.count)
        let last = adapter.entries.last!
        last.layer.loraB.data[3] = .nan
        XCTAssertThrowsError(try adapter.merge()) { error in
            guard case let .nonFiniteMerge(layer, count) = error as? LoRAError else { return XCTFail("\(error)") }
            XCTAssertEqual(layer, "model.layers.1.mlp.down_proj")
            XCTAssertEqual(count, last.layer.inFeatures, "one NaN in B poisons a whole row of B·A")
        }
        XCTAssertFalse(adapter.isMerged)
        XCTAssertEqual(Tiny.snapshot(model.namedTensors).filter { !$0.key.contains("lora_") },
                       before.filter { !$0.key.contains("lora_") }, "no base weight changed")
        last.layer.loraB.data[3] = .infinity
        XCTAssertThrowsError(try last.layer.merge(name: "x")) { XCTAssertNotNil($0 as? LoRAError) }
    }

    func testSwappingAdaptersOnOneBase() throws {
        let model = Tiny.model()
        let ids = Tiny.ids(16, seed: 4)
        let plain = withoutGrad { model.logits(ids: ids, batch: 1) }.scalars
        let a = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 2, alpha: 4, targets: ["q", "v"]), seed: 1)
        for e in a.entries { e.layer.loraB.data.update(repeating: 0.02, count: e.layer.loraB.count) }
        let withA = withoutGrad { model.logits(ids: ids, batch: 1) }.scalars
        XCTAssertThrowsError(try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 2, targets: ["v"]), seed: 2)) {
            XCTAssertEqual($0 as? LoRAError, .alreadyAdapted(layer: "model.layers.0.self_attn.v_proj"))
        }
        a.detach()
        XCTAssertFalse(a.isAttached)
        XCTAssertEqual(withoutGrad { model.logits(ids: ids, batch: 1) }.scalars, plain, "detaching restores the base")
        let b = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 3, alpha: 3, targets: ["up", "down"]), seed: 2)
        for e in b.entries { e.layer.loraB.data.update(repeating: -0.03, count: e.layer.loraB.count) }
        let withB = withoutGrad { model.logits(ids: ids, batch: 1) }.scalars
        XCTAssertNotEqual(withB, withA)
        XCTAssertEqual(model.trainableTensors.map(\.0), b.namedTensors.map(\.0))
        b.detach()
        try a.attach(to: model)
        XCTAssertEqual(withoutGrad { model.logits(ids: ids, batch: 1) }.scalars, withA, "re-attaching A gives A's outputs again")
        // An adapter built for one model refuses another model's layers.
        XCTAssertThrowsError(try a.attach(to: Tiny.model())) {
            XCTAssertEqual($0 as? LoRAError, .baseMismatch(layer: "model.layers.0.self_attn.q_proj"))
        }
    }
}
