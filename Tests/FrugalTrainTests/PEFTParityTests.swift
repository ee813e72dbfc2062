// PEFT parity: the LoRA forward, rsLoRA scaling, safe merge and adapter-file tensor names/shapes
// against PEFT 0.21.2 itself. The numbers below are the output of reference/lora_peft.py (run with
// the pinned stack of reference/requirements.txt); inputs are rebuilt here from the same closed-form values.
import XCTest
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class PEFTParityTests: XCTestCase {
    /// v(i, s) = ((i·37 mod 101) − 50)/100 · s, exact in Float32 as in the script.
    func v(_ n: Int, _ s: Float, start: Int = 0) -> [Float] {
        (start..<(start + n)).map { Float((($0 * 37) % 101) - 50) / 100 * s }
    }

    static let y: [Float] = [-0.09115912020206451, 0.1319015920162201, -0.1842079907655716, 0.14608241617679596, -0.21097663044929504, 0.33394256234169006, -0.28610679507255554, 0.264005571603775, -0.06963201612234116, -0.02645071968436241]
    static let yRSLoRA: [Float] = [-0.08406490087509155, 0.13117071986198425, -0.18450666964054108, 0.14621593058109283, -0.21820683777332306, 0.3232857882976532, -0.2791938781738281, 0.2652541697025299, -0.0740477442741394, -0.012066449970006943]
    static let mergedWeight: [Float] = [-0.27983999252319336, -0.03872799873352051, 0.07633599638938904, -0.22472000122070312, 0.016392000019550323, 0.13145600259304047, -0.1324320137500763, 0.04248800128698349, 0.22540800273418427, -0.07566399872303009, 0.0862480029463768, -0.23583200573921204, -0.03190400078892708, 0.1510159969329834, -0.17735199630260468, 0.007168000563979149, 0.19653600454330444, -0.12879200279712677, 0.0557280033826828, 0.24509599804878235, -0.0753839984536171, 0.10780800133943558, -0.21107199788093567, -0.036263998597860336, 0.16116800904273987, -0.15771199762821198, 0.01709599792957306, 0.20321600139141083, -0.09587199985980988, 0.03205599635839462, 0.29572799801826477, -0.053872000426054, 0.0740559995174408, -0.16727200150489807, -0.039343997836112976]

    func layer(rslora: Bool) -> LoRALinear {
        let base = Linear(weight: Tensor(v(35, 0.5), shape: [5, 7]), bias: Tensor(v(5, 0.3, start: 100), shape: [5]))
        let config = LoRAConfig(rank: 3, alpha: 6, useRSLoRA: rslora)
        return LoRALinear(base: base, a: Tensor(v(21, 0.4, start: 200), shape: [3, 7]),
                          b: Tensor(v(15, 0.2, start: 300), shape: [5, 3]), scaling: config.scaling,
                          dropout: 0, dropoutRNG: RandomGenerator(seed: 0))
    }

    func testForwardAndMergeMatchPEFT() throws {
        let x = Tensor(v(14, 1, start: 400), shape: [2, 7])
        XCTAssertEqual(LoRAConfig(rank: 3, alpha: 6).scaling, 2.0)
        XCTAssertEqual(LoRAConfig(rank: 3, alpha: 6, useRSLoRA: true).scaling, 3.464101615137755, accuracy: 1e-6)
        for (rs, expected) in [(false, Self.y), (true, Self.yRSLoRA)] {
            let out = withoutGrad { layer(rslora: rs)(x) }.scalars
            for (a, b) in zip(out, expected) { XCTAssertEqual(a, b, accuracy: 1e-6, "rslora \(rs)") }
        }
        let l = layer(rslora: false)
        try l.merge()
        for (a, b) in zip((l.base as! Linear).weight.scalars, Self.mergedWeight) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // Merged forward is the base alone and still equals PEFT's unmerged output.
        for (a, b) in zip(withoutGrad { l(x) }.scalars, Self.y) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    static let allLinear: [(String, [Int])] = [
        ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight", [16, 4]),
        ("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", [16, 4]),
        ("base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.o_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.0.mlp.gate_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight", [96, 4]),
        ("base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.mlp.up_proj.lora_B.weight", [96, 4]),
        ("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", [4, 96]),
        ("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight", [16, 4]),
        ("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", [16, 4]),
        ("base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.1.mlp.gate_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight", [96, 4]),
        ("base_model.model.model.layers.1.mlp.up_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight", [96, 4]),
        ("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight", [4, 96]),
        ("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight", [48, 4])]

    static let defaultTargets: [(String, [Int])] = [
        ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", [16, 4]),
        ("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", [48, 4]),
        ("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight", [4, 48]),
        ("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", [16, 4])]

    func testAdapterTensorNamesAndShapesMatchPEFT() throws {
        for (targets, expected, trainable) in [(["all-linear"], Self.allLinear, 6016),
                                               (LoRAConfig().targets, Self.defaultTargets, 1280)] {
            let model = Tiny.model()
            let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, targets: targets), seed: 1)
            let ours = adapter.peftNamedTensors.map { ($0.0, $0.1.shape) }
            XCTAssertEqual(ours.map(\.0), expected.map(\.0), "\(targets)")
            XCTAssertEqual(ours.map(\.1), expected.map(\.1), "\(targets)")
            XCTAssertEqual(adapter.parameterCount, trainable)
        }
    }
}
