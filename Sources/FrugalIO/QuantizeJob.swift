// QuantizeJob — `frugal quantize` as a library call: reads a model (HF directory, GGUF, `default`),
// quantizes the weight of every linear layer inside the decoder blocks (q/k/v/o, gate/up/down — the
// modules transformers' bitsandbytes integration converts; never embeddings, norms or lm_head),
// copies every other tensor unchanged (same dtype, same bytes), and writes an HF directory that
// transformers + bitsandbytes load with `from_pretrained`:
//   model.safetensors  bnb tensors per quantized layer (BnbCheckpoint / BnbInt8Weight), metadata {"format": "pt"}
//   config.json        the input's config with `quantization_config` added (BnbQuantizationConfig),
//                      written as transformers writes it (BnbConfigJSON)
//   side files         generation_config.json and the tokenizer files, copied byte for byte
// Output is all-or-nothing (QuantizeOutputDirectory). Quantization matches bitsandbytes 0.50.2 on
// CPU bit for bit (FrugalQuant), so for the same input the tensors equal transformers' own
// save_pretrained output; Tests/FrugalIOTests/BnbQuantizeTests checks whole files byte for byte.
// Leaves out: GPT-2 (Conv1D layers), sharded output (one model.safetensors, built in memory:
// the quantized model must fit in RAM), quant_storage other than uint8.
import Foundation
import FrugalQuant
import FrugalSpec

public enum QuantizeJob {
    /// Quantizes `source` into `output`. `progress(done, total, tensorName)` is called per tensor.
    public static func run(source: ModelSource, options: QuantizeOptions, output: String,
                           progress: ((Int, Int, String) -> Void)? = nil) throws -> QuantizeReport {
        try options.validate()
        let input = try QuantizeInput.open(source)
        try refuseOutputHoldingInput(output: output, input: input.path)
        let cfg = input.config
        guard cfg.architecture != .gpt2 else {
            throw QuantizeError.unsupportedArchitecture(path: input.path, architecture: "gpt2 (Conv1D weights)")
        }
        // The linear weights inside the blocks, with the shapes the config implies.
        let linear = cfg.parameterInventory.filter { $0.linear != nil && $0.layer != nil && !$0.isBias }
        var misfits: [ParameterEntry] = []
        for e in linear {
            guard let info = input.info(e.name) else { throw QuantizeError.missingTensor(path: input.path, tensor: e.name) }
            guard [.F32, .F16, .BF16].contains(info.dtype) else {
                throw QuantizeError.unsupportedDType(path: input.path, tensor: e.name, dtype: info.dtype.rawValue)
            }
            guard info.shape == e.shape else {
                throw QuantizeError.shapeMismatch(path: input.path, tensor: e.name, shape: info.shape, expected: e.shape)
            }
            if options.fourBitType != nil && !fits(shape: e.shape, blockSize: options.effectiveBlockSize) { misfits.append(e) }
        }
        let linearNames = Set(linear.map(\.name))
        let compute = options.computeDType ?? linear.first.flatMap { input.info($0.name).map { torchDType($0.dtype) } } ?? .float32
        let qconfig: BnbQuantizationConfig
        if let t = options.fourBitType {
            qconfig = BnbQuantizationConfig(mode: .fourBit(t, doubleQuant: options.doubleQuant), computeDType: compute)
        } else {
            qconfig = BnbQuantizationConfig(mode: .eightBit, computeDType: compute)
        }

        // Everything is computed before the output directory is created.
        var out = [SafetensorsTensor]()
        var reports = [QuantizeTensorReport]()
        var copied = 0
        for (k, name) in input.tensorNames.enumerated() {
            progress?(k, input.tensorNames.count, name)
            guard let info = input.info(name) else { continue }
            guard linearNames.contains(name) else {
                out.append(SafetensorsTensor(name: name, dtype: info.dtype, shape: info.shape, bytes: try input.rawBytes(name)))
                copied += 1
                continue
            }
            let w = try input.loadFloat32(name)
            let (tensors, reconstructed, format) = try quantize(w, name: name, shape: info.shape, dtype: info.dtype, options: options)
            let stats = QuantizeErrorStats.measure(w, reconstructed)
            reports.append(QuantizeTensorReport(name: name, shape: info.shape, inputDType: info.dtype.rawValue, format: format,
                                                rmse: stats.rmse, maxAbsError: stats.maxAbs, snrDB: stats.snrDB,
                                                bytesBefore: info.byteCount, bytesAfter: tensors.reduce(0) { $0 + $1.bytes.count }))
            out += tensors
        }
        progress?(input.tensorNames.count, input.tensorNames.count, "")
        let configText = input.configJSON.setting("quantization_config", to: qconfig.json).pythonConfigText

        let dir = try QuantizeOutputDirectory(destination: output, force: options.force)
        var files = ["config.json"]
        do {
            let weights = dir.path("model.safetensors")
            try SafetensorsWriter.write(out, metadata: ["format": "pt"], to: weights)
            try AtomicFile.write(to: dir.path("config.json")) { try $0(Array(configText.utf8)) }
            for (name, src) in input.sideFiles {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: src)))
                try AtomicFile.write(to: dir.path(name)) { try $0(bytes) }
                files.append(name)
            }
            let fileBytes = (try FileManager.default.attributesOfItem(atPath: weights)[.size] as? NSNumber)?.intValue ?? 0
            try dir.commit()
            return QuantizeReport(input: input.path, output: dir.destination, format: options.target.rawValue,
                                  blockSize: options.fourBitType == nil ? nil : options.effectiveBlockSize,
                                  doubleQuant: options.doubleQuant, tensors: reports, copiedTensors: copied,
                                  bytesBefore: input.bytesBefore, bytesAfter: out.reduce(0) { $0 + $1.bytes.count },
                                  outputFileBytes: fileBytes, files: files,
                                  notes: input.notes + Self.cpuKernelNote(misfits, blockSize: options.effectiveBlockSize))
        } catch {
            dir.discard()
            if let e = error as? QuantizeError { throw e }
            throw QuantizeError.writeFailed(path: dir.destination, reason: "\(error)")
        }
    }

    /// The output folder is replaced as a whole (with --force), so it must not be the input
    /// folder or any folder above the input: that would delete the model being read.
    /// Compared after resolving symbolic links and `..`.
    static func refuseOutputHoldingInput(output: String, input: String) throws {
        func canonical(_ p: String) -> String {
            var url = URL(fileURLWithPath: p).standardizedFileURL
            // Resolve links on the longest existing prefix (the output may not exist yet).
            var tail: [String] = []
            while !FileManager.default.fileExists(atPath: url.path) && url.pathComponents.count > 1 {
                tail.insert(url.lastPathComponent, at: 0)
                url.deleteLastPathComponent()
            }
            var r = url.resolvingSymlinksInPath().path
            for t in tail { r = (r as NSString).appendingPathComponent(t) }
            return r.count > 1 && r.hasSuffix("/") ? String(r.dropLast()) : r
        }
        let out = canonical(output), inp = canonical(input)
        if inp == out || inp.hasPrefix(out == "/" ? "/" : out + "/") {
            throw QuantizeError.outputHoldsInput(output: output, input: input)
        }
    }

    /// One linear weight: its bnb tensors, the weight bitsandbytes will reconstruct, and a format label.
    static func quantize(_ w: [Float], name: String, shape: [Int], dtype: SafetensorsDType,
                         options: QuantizeOptions) throws -> ([SafetensorsTensor], [Float], String) {
        let module = BnbCheckpoint.modulePrefix(name)
        do {
            if let type = options.fourBitType {
                let torch = torchDType(dtype)
                let q = try QuantizedBlockwise4Bit.quantize(w, shape: shape, type: type, blockSize: options.effectiveBlockSize,
                                                            doubleQuant: options.doubleQuant, dtype: torch)
                var r = q.dequantize()
                if let half = torch.halfFormat { r = HalfBuffer(r, format: half).toFloat() }
                return (BnbCheckpoint.tensors(q, module: module), r,
                        type.rawValue + (options.doubleQuant ? "+dq" : "") + "/\(options.effectiveBlockSize)")
            }
            if let bad = w.firstIndex(where: { abs($0) > 65504 }) {
                throw QuantizeError.cannotQuantize(tensor: name, reason: "value \(w[bad]) at flat index \(bad) overflows float16, "
                                                   + "which bitsandbytes int8 rounds to first; use nf4 or fp4 for this model")
            }
            let q = try BnbInt8Weight.quantize(w, rows: shape[0], cols: shape[1])
            return (q.tensors(module: module), q.quantized.dequantize(), "int8/row")
        } catch let e as QuantError {
            throw QuantizeError.cannotQuantize(tensor: name, reason: e.description)
        }
    }

    /// The report's note on weights bitsandbytes writes and runs on GPUs and most CPUs, but whose
    /// shape its AVX512-BF16 CPU path refuses (transformers + bitsandbytes quantize and save them all
    /// the same, so Frugal writes them too: blocks of the flattened weight, the last one partial).
    static func cpuKernelNote(_ misfits: [ParameterEntry], blockSize: Int) -> [String] {
        guard let first = misfits.first else { return [] }
        let fitting = fittingBlockSizes(shape: first.shape)
        return ["\(misfits.count) linear weight\(misfits.count == 1 ? "" : "s") (e.g. \(first.name) \(first.shape)) do not hold whole "
                + "\(blockSize)-value blocks per row with out_features a multiple of 32: bitsandbytes runs them on GPUs and most CPUs, "
                + "but its AVX512-BF16 CPU path refuses them"
                + (fitting.isEmpty ? "" : "; --block-size \(fitting.map(String.init).joined(separator: " or ")) would fit")]
    }

    /// Whether a 4-bit [out, in] weight suits bitsandbytes 0.50's CPU kernel: on AVX512-BF16 machines
    /// `Linear4bit.forward` repacks the weight (`_convert_weight_packed_for_cpu`), which asserts
    /// out % 32 == 0 and in even, and reshapes absmax to [out, in / blocksize]. Found when a
    /// checkpoint with 288-value k_proj (tiny_f32_fp4, quantized by transformers itself) failed there.
    public static func fits(shape: [Int], blockSize: Int) -> Bool {
        shape.count == 2 && shape[0] % 32 == 0 && shape[1] % blockSize == 0
    }

    /// The allowed block sizes that `fits` a shape.
    public static func fittingBlockSizes(shape: [Int]) -> [Int] {
        QuantizedBlockwise4Bit.allowedBlockSizes.filter { fits(shape: shape, blockSize: $0) }
    }

    static func torchDType(_ d: SafetensorsDType) -> TorchFloatDType {
        switch d {
        case .BF16: return .bfloat16
        case .F16: return .float16
        default: return .float32
        }
    }
}
