// LoRATargetNames: the one reading of LoRA target lists (full names, short forms, lists,
// all-linear) that finetune and the estimator share; the short forms match every runnable family's
// linear modules.
import XCTest
@testable import FrugalSpec

final class LoRATargetNamesTests: XCTestCase {
    let decoder = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    func testShortFormsFullNamesListsAndAllLinear() throws {
        XCTAssertEqual(try LoRATargetNames.resolve(["q,v"], modules: decoder), ["q_proj", "v_proj"])
        XCTAssertEqual(try LoRATargetNames.resolve(["v_proj", " q ", "q_proj"], modules: decoder), ["q_proj", "v_proj"])
        XCTAssertEqual(try LoRATargetNames.resolve(["gate,up,down"], modules: decoder), ["gate_proj", "up_proj", "down_proj"])
        XCTAssertEqual(try LoRATargetNames.resolve(["all-linear"], modules: decoder), decoder)
        XCTAssertEqual(try LoRATargetNames.resolve(["c_attn"], modules: ["c_attn", "c_proj", "c_fc"]), ["c_attn"])
        XCTAssertThrowsError(try LoRATargetNames.resolve(["q", "lm_head"], modules: decoder)) {
            XCTAssertEqual($0 as? LoRATargetNames.ResolveError, .unknown("lm_head", valid: decoder + ["q", "k", "v", "o", "gate", "up", "down"]))
        }
        XCTAssertThrowsError(try LoRATargetNames.resolve([" , "], modules: decoder)) {
            XCTAssertEqual($0 as? LoRATargetNames.ResolveError, .empty)
        }
    }

    func testEveryRunnableFamilySpellsItsLinearModulesAsTheShortFormsExpect() {
        for family in ModelFamily.all where family.runnable {
            let leaves = family.linearModules.map(\.leaf)
            XCTAssertEqual(leaves.compactMap(LoRATargetNames.shortName), family.linearModules.map(\.role.rawValue), family.displayName)
        }
    }
}
