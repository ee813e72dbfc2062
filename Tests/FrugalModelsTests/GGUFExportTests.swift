// GGUF export of every family with a GGUF layout (Fixtures/families/<family>/):
//   - from the HF folder at F32, the file equals what llama.cpp's convert_hf_to_gguf.py wrote
//     (model.gguf): every metadata key and value type (the tokenizer and general.name aside),
//     every tensor's name, dims, type and bytes (Q/K permuted, Gemma's norms + 1, Llama 3.1's
//     rope_freqs within float rounding);
//   - Frugal loads the export and computes the source's logits (F32: exactly; Gemma 3 against the
//     converter's GGUF, since llama.cpp's layout cannot carry its query_pre_attn_scalar); quantized
//     exports within their error; an export from a GGUF source keeps its tokenizer keys;
//   - base + adapter merged equals Frugal's fused adapter; the adapter alone is written as
//     convert_lora_to_gguf.py does (names, shapes, keys, lora_b permuted for Llama's Q/K).
import XCTest
import FrugalCore
import FrugalIO
import FrugalSpec
@testable import FrugalModels
@testable import FrugalTrain

final class GGUFExportTests: XCTestCase {
    static let families = ["llama", "mistral", "qwen2", "qwen3", "gemma3"]
    let ids: [Int32] = [1, 5, 9, 17, 33, 64, 100, 127, 3, 2, 50, 77]

    func folder(_ family: String) -> URL {
        Bundle.module.url(forResource: "families", withExtension: nil, subdirectory: "Fixtures")!.appendingPathComponent(family)
    }

    func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-export-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func export(_ source: String, type: GGUFExportType, to dir: URL, name: String = "x") throws -> (String, [String]) {
        let model = try DecoderModel.load(source)
        let keys: GGUFTokenizerExport.Keys
        if source.hasSuffix(".gguf") { keys = GGUFTokenizerExport.keys(fromGGUF: try GGUFFile(path: source)) }
        else { keys = try GGUFTokenizerExport.keys(fromHFDirectory: source, vocabSize: model.config.vocabSize).keys }
        let (w, warnings) = try model.ggufWriter(type: type, name: name, tokenizer: keys)
        let path = dir.appendingPathComponent("\(name)-\(type.rawValue).gguf").path
        try w.write(to: path)
        return (path, warnings)
    }

    func logits(_ source: String) throws -> [Float] {
        let m = try DecoderModel.load(source)
        return withoutGrad { m.logits(ids: ids, batch: 1) }.scalars
    }

    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / Swift.max(scale, 1e-12)
    }

    func testF32ExportEqualsTheConvertersFile() throws {
        let dir = tempDir()
        for f in Self.families {
            let (path, warnings) = try export(folder(f).path, type: .f32, to: dir, name: f)
            let mine = try GGUFFile(path: path)
            let ref = try GGUFFile(path: folder(f).appendingPathComponent("model.gguf").path)
            let skip: (String) -> Bool = { $0.hasPrefix("tokenizer.") || $0 == "general.name" }
            XCTAssertEqual(Set(mine.metadataKeys.filter { !skip($0) }), Set(ref.metadataKeys.filter { !skip($0) }), f)
            for k in ref.metadataKeys where !skip(k) {
                XCTAssertEqual(mine.metadata[k], ref.metadata[k], "\(f) \(k)")
            }
            XCTAssertEqual(mine.metadata["tokenizer.ggml.model"], .string("none"), "\(f): the HF fixture has no tokenizer.json")
            XCTAssertEqual(Set(mine.tensors.map(\.name)), Set(ref.tensors.map(\.name)), f)
            for t in ref.tensors {
                let m = try XCTUnwrap(mine.tensor(named: t.name), "\(f) \(t.name)")
                XCTAssertEqual(m.dims, t.dims, "\(f) \(t.name)")
                XCTAssertEqual(m.type, t.type, "\(f) \(t.name)")
                if t.name == "rope_freqs.weight" {
                    let a = try mine.loadFloat32(m), b = try ref.loadFloat32(t)
                    XCTAssertLessThan(relativeError(a, b), 1e-6, "\(f) rope_freqs \(a) vs \(b)")
                } else {
                    XCTAssertEqual(Array(mine.rawBytes(of: m)), Array(ref.rawBytes(of: t)), "\(f) \(t.name) bytes")
                }
            }
            XCTAssertEqual(warnings.count, f == "gemma3" ? 2 : 0, "\(f): \(warnings)")
        }
    }

    func testExportReloadsWithTheSameLogits() throws {
        let dir = tempDir()
        for f in Self.families {
            let (path, _) = try export(folder(f).path, type: .f32, to: dir, name: f)
            // Gemma 3's GGUF cannot hold query_pre_attn_scalar 24 or the [sliding, full, sliding]
            // pattern: compare with the converter's file, read the same way.
            let expected = try logits(f == "gemma3" ? folder(f).appendingPathComponent("model.gguf").path : folder(f).path)
            let got = try logits(path)
            // Llama 3.1 RoPE: the source computes scaled frequencies, the GGUF divides by rope_freqs.
            XCTAssertLessThanOrEqual(relativeError(got, expected), f == "gemma3" || f == "llama" ? 1e-5 : 0, f)
        }
    }

    func testQuantizedExportsStayClose() throws {
        let dir = tempDir()
        let expected = try logits(folder("qwen3").path)
        // Logits of a tiny random model move a lot under 4-bit weights; the weights themselves are
        // checked against each type's step (relative to the tensor's largest value).
        let source = try DecoderModel.load(folder("qwen3").path)
        let sourceWeights = Dictionary(uniqueKeysWithValues: source.namedTensors.map { ($0.0, $0.1.scalars) })
        let bounds: [GGUFExportType: (logits: Float, weights: Float)] = [
            .f16: (2e-3, 1e-3), .bf16: (2e-2, 8e-3), .q8_0: (0.05, 1e-2), .q4_0: (0.6, 0.15), .q4_1: (0.6, 0.1),
            .q4_k: (0.6, 0.08), .q6_k: (0.05, 1e-2)]
        for (t, bound) in bounds {
            let (path, _) = try export(folder("qwen3").path, type: t, to: dir, name: "qwen3")
            let f = try GGUFFile(path: path)
            XCTAssertEqual(f.metadata["general.file_type"], .uint32(t.fileType))
            XCTAssertEqual(f.tensor(named: "blk.0.attn_norm.weight")?.type, .f32, "norms stay F32")
            XCTAssertEqual(f.tensor(named: "blk.0.attn_q_norm.weight")?.type, .f32)
            let embd = try XCTUnwrap(f.tensor(named: "token_embd.weight")).type
            switch t {
            case .f16: XCTAssertEqual(embd, .f16)
            case .bf16: XCTAssertEqual(embd, .bf16)
            case .q8_0: XCTAssertEqual(embd, .q8_0)
            default: XCTAssertEqual(embd, .q8_0, "tied output: Q6_K needs rows of 256, llama-quantize falls back to Q8_0")
            }
            let q = try XCTUnwrap(f.tensor(named: "blk.0.attn_q.weight")).type
            switch t {
            case .q4_k: XCTAssertEqual(q, .q5_0, "rows of 32: llama-quantize's Q4_K fallback")
            case .q6_k: XCTAssertEqual(q, .q8_0, "rows of 32: llama-quantize's Q6_K fallback")
            default: XCTAssertEqual(q, t.ggmlType)
            }
            let reloaded = try DecoderModel.load(path)
            for (n, w) in reloaded.namedTensors where w.shape.count == 2 {
                let err = relativeError(w.scalars, sourceWeights[n]!)
                XCTAssertLessThan(err, bound.weights, "\(t.rawValue) \(n): weights relative error \(err)")
            }
            let err = relativeError(try logits(path), expected)
            XCTAssertLessThan(err, bound.logits, "\(t.rawValue): logits relative error \(err)")
        }
        // Rows of 256: Q4_K and Q6_K themselves, output Q6_K.
        XCTAssertEqual(GGUFExportType.q4_k.tensorType(name: "blk.0.ffn_up.weight", shape: [512, 256], isOutput: false), .q4_K)
        XCTAssertEqual(GGUFExportType.q4_k.tensorType(name: "output.weight", shape: [1000, 256], isOutput: true), .q6_K)
        XCTAssertEqual(GGUFExportType.q8_0.tensorType(name: "output.weight", shape: [1000, 256], isOutput: true), .q8_0)
        XCTAssertEqual(GGUFExportType.q4_0.tensorType(name: "x.weight", shape: [8, 48], isOutput: false), .f16)
        XCTAssertEqual(GGUFExportType.q8_0.tensorType(name: "x.bias", shape: [64], isOutput: false), .f32)
    }

    func testGGUFSourceKeepsItsTokenizer() throws {
        let dir = tempDir()
        let src = folder("llama").appendingPathComponent("model.gguf").path
        let (path, _) = try export(src, type: .f32, to: dir)
        let mine = try GGUFFile(path: path), ref = try GGUFFile(path: src)
        for k in ref.metadataKeys where k.hasPrefix("tokenizer.") { XCTAssertEqual(mine.metadata[k], ref.metadata[k], k) }
        XCTAssertEqual(mine.metadata["tokenizer.ggml.merges"], .array(.string, []), "llama.cpp needs merges for gpt2")
        XCTAssertEqual(try mine.tokenizerMetadata().tokens, try ref.tokenizerMetadata().tokens)
        XCTAssertEqual(try logits(path), try logits(src))
        // rope_freqs copied from the source, exactly.
        XCTAssertEqual(try mine.loadFloat32("rope_freqs.weight").data, try ref.loadFloat32("rope_freqs.weight").data)
    }

    func testMergedExportEqualsTheFusedAdapter() throws {
        let dir = tempDir()
        for f in ["llama", "gemma3"] {
            let model = try DecoderModel.load(folder(f).path)
            let a = try LoRAAdapter.load(from: folder(f).appendingPathComponent("adapter").path, into: model)
            try a.fuse()
            let (w, _) = try model.ggufWriter(type: .f32, name: f, tokenizer: GGUFTokenizerExport.none)
            let path = dir.appendingPathComponent("\(f)-merged.gguf").path
            try w.write(to: path)
            let reloaded = try DecoderModel.load(path)
            let want = Dictionary(uniqueKeysWithValues: model.namedTensors.map { ($0.0, $0.1.scalars) })
            for (n, t) in reloaded.namedTensors {
                let err = relativeError(t.scalars, want[n]!)
                XCTAssertLessThanOrEqual(err, f == "gemma3" ? 1e-7 : 0, "\(f) \(n)")
            }
        }
    }

    func testAdapterOnlyGGUF() throws {
        let dir = tempDir()
        for f in ["llama", "qwen2"] {
            let config = try DecoderModel.load(folder(f).path).config
            let adapterDir = folder(f).appendingPathComponent("adapter").path
            let w = try LoRAGGUFExport.writer(adapterDirectory: adapterDir, config: config, type: .f32, name: "a")
            let path = dir.appendingPathComponent("\(f)-lora.gguf").path
            try w.write(to: path)
            let g = try GGUFFile(path: path)
            XCTAssertEqual(g.metadata["general.architecture"], .string(f == "qwen2" ? "qwen2" : "llama"))
            XCTAssertEqual(g.metadata["general.type"], .string("adapter"))
            XCTAssertEqual(g.metadata["adapter.type"], .string("lora"))
            XCTAssertEqual(g.metadata["adapter.lora.alpha"], .float32(8))
            XCTAssertNil(g.tensor(named: "rope_freqs.weight"))
            let (_, pairs) = try PEFTAdapter.read(adapterDir)
            XCTAssertEqual(g.tensors.count, 2 * pairs.count)
            for p in pairs {
                let base = config.family.ggufName(hf: p.module + ".weight")!
                let la = try XCTUnwrap(g.tensor(named: base + ".lora_a"), base)
                let lb = try XCTUnwrap(g.tensor(named: base + ".lora_b"), base)
                XCTAssertEqual(la.dims, [p.aShape[1], p.aShape[0]], "lora_a ne = [in, r]")
                XCTAssertEqual(lb.dims, [p.bShape[1], p.bShape[0]], "lora_b ne = [r, out]")
                XCTAssertEqual(try g.loadFloat32(la), p.a)
                let b = try g.loadFloat32(lb)
                let role = config.family.role(ofHF: p.module + ".weight")!.role
                if f == "llama" && (role == .q || role == .k) {
                    let heads = role == .q ? config.numHeads : config.numKVHeads
                    XCTAssertEqual(b, QKPermutation.permute(p.b, rows: p.bShape[0], cols: p.bShape[1], heads: heads), base)
                    XCTAssertNotEqual(b, p.b)
                } else {
                    XCTAssertEqual(b, p.b, base)
                }
            }
        }
        // Quantized adapters: lora_b [out, r = 4] has rows of 4, so F16 as the converter falls back.
        let config = try DecoderModel.load(folder("llama").path).config
        let w = try LoRAGGUFExport.writer(adapterDirectory: folder("llama").appendingPathComponent("adapter").path,
                                          config: config, type: .q8_0, name: "a")
        XCTAssertEqual(w.tensors.first { $0.name == "blk.0.attn_q.weight.lora_a" }?.type, .q8_0)
        XCTAssertEqual(w.tensors.first { $0.name == "blk.0.attn_q.weight.lora_b" }?.type, .f16)
        XCTAssertThrowsError(try LoRAGGUFExport.writer(adapterDirectory: folder("llama").appendingPathComponent("adapter").path,
                                                       config: config, type: .q4_0, name: "a"))
    }

    /// `frugal merge` from a GGUF base: the folder carries tokenizer.json / tokenizer_config.json
    /// built from the GGUF's tokenizer, and reloads with the merged model's logits. (Qwen2: a Llama
    /// 3.1 GGUF's rope_freqs have no config.json spelling saveHF writes, so its folder would lose
    /// the RoPE scaling — see the export notes.)
    func testMergeFromGGUFWritesTheTokenizer() throws {
        let dir = tempDir()
        let src = folder("qwen2").appendingPathComponent("model.gguf").path
        let model = try DecoderModel.load(src)
        let a = try LoRAAdapter.load(from: folder("qwen2").appendingPathComponent("adapter").path, into: model)
        try a.fuse()
        let meta = try GGUFFile(path: src).tokenizerMetadata()
        let files = try HFTokenizerFiles.fromGGUF(meta).get()
        let out = dir.appendingPathComponent("merged").path
        try model.saveHF(to: out, extraFiles: ["tokenizer.json": files.tokenizerJSON, "tokenizer_config.json": files.configJSON])
        let reloaded = try DecoderModel.load(out)
        let want = withoutGrad { model.logits(ids: ids, batch: 1) }.scalars
        let got = withoutGrad { reloaded.logits(ids: ids, batch: 1) }.scalars
        XCTAssertEqual(relativeError(got, want), 0)
        let fromGGUF = try ModelTokenizer.load(src).tokenizer, fromHF = try ModelTokenizer.load(out).tokenizer
        XCTAssertEqual(fromHF.vocabularySize, fromGGUF.vocabularySize)
        XCTAssertEqual(fromHF.bosID, fromGGUF.bosID)
        XCTAssertEqual(fromHF.eosID, fromGGUF.eosID)
        for i in 0..<fromGGUF.vocabularySize { XCTAssertEqual(fromHF.token(for: i), fromGGUF.token(for: i)) }
        let config = try JSONSerialization.jsonObject(with: files.configJSON) as! [String: Any]
        XCTAssertEqual(config["bos_token"] as? String, "t1")
        XCTAssertEqual(config["eos_token"] as? String, "t2")
        // A SentencePiece GGUF tokenizer is not written (said so, not guessed).
        var sp = meta; sp.model = "llama"
        if case .success = HFTokenizerFiles.fromGGUF(sp) { XCTFail("llama (SentencePiece) tokenizers are left out") }
    }

    /// HF tokenizer.json (Llama 3 and Qwen2 byte-level BPE, FrugalTextTests' family fixtures) →
    /// GGUF tokenizer keys → Frugal's GGUF tokenizer: the ids transformers produced, with and
    /// without special tokens, and llama.cpp's pre-tokenizer names.
    func testHFTokenizerBecomesGGUFKeys() throws {
        let text = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FrugalTextTests/Fixtures")
        for (family, pre, config) in [("llama3", "llama-bpe", #"{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}"#),
                                      ("qwen2", "qwen2", #"{"eos_token": "<|endoftext|>", "add_bos_token": false}"#)] {
            let dir = tempDir()
            try FileManager.default.copyItem(at: text.appendingPathComponent("family_\(family)_tokenizer.json"),
                                             to: dir.appendingPathComponent("tokenizer.json"))
            try Data(config.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
            let (keys, notes) = try GGUFTokenizerExport.keys(fromHFDirectory: dir.path, vocabSize: 700)
            // Qwen2's NFC normalizer has no GGUF key (llama.cpp does not normalize): said, and the
            // texts it would change are skipped.
            XCTAssertEqual(notes.count, family == "qwen2" ? 1 : 0, "\(family): \(notes)")
            var w = try GGUFWriter()
            for (k, v) in keys { try w.set(k, v) }
            let path = dir.appendingPathComponent("t.gguf").path
            try w.write(to: path)
            let meta = try GGUFFile(path: path).tokenizerMetadata()
            XCTAssertEqual(meta.pre, pre)
            XCTAssertEqual(meta.tokenTypes.filter { $0 == 3 }.count, family == "llama3" ? 5 : 3, "special added tokens are control")
            let tok = try ModelTokenizer.load(path).tokenizer
            let enc = try JSONSerialization.jsonObject(with: Data(contentsOf: text.appendingPathComponent("family_\(family)_encodings.json"))) as! [String: Any]
            var checked = 0
            for c in enc["cases"] as! [[String: Any]] {
                let t = c["text"] as! String
                if family == "qwen2" && t.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(t.unicodeScalars) == false { continue }
                XCTAssertEqual(tok.encode(t, addSpecialTokens: false), c["ids"] as! [Int], "\(family) \(t.debugDescription)")
                XCTAssertEqual(tok.encode(t), c["ids_with_special"] as! [Int], "\(family) \(t.debugDescription)")
                checked += 1
            }
            XCTAssertGreaterThan(checked, 100)
        }
    }
}
