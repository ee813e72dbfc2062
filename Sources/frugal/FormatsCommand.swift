// frugal formats — fp32, fp16, bf16, int8, nf4 and fp4 side by side: bit layout, largest value,
// smallest normal and subnormal, machine epsilon, storage bits per value, and where each overflows
// and underflows. All numbers come from FrugalQuant.NumericFormat (computed from the definitions).
import ArgumentParser
import Foundation
import FrugalSpec
import FrugalQuant

struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: "Compare fp32, fp16, bf16, int8, nf4 and fp4: bits, range, precision, underflow and overflow.")

    @Flag(name: .long, help: "Print the table as JSON.")
    var json = false

    func run() throws {
        let formats = NumericFormat.all
        if json {
            print(try JSONStyle.string(formats))
            return
        }
        print(Self.table(formats))
    }

    static func table(_ formats: [NumericFormat]) -> String {
        func num(_ x: Double?) -> String {
            guard let x else { return "-" }
            let s = NumericFormat.short(x)
            // exact powers of two also get their exponent, e.g. 6.103516e-05 (2^-14)
            if x > 0, x.significand == 1, abs(x.exponent) >= 5 { return "\(s) (2^\(x.exponent))" }
            return s
        }
        func field(_ x: Int?) -> String { x.map(String.init) ?? "-" }
        let header = ["format", "bits", "s/e/m", "largest", "smallest normal", "smallest subnormal", "epsilon", "bits/value"]
        var rows: [[String]] = [header]
        for f in formats {
            var bits = NumericFormat.short(f.bitsPerValue)
            if let d = f.bitsPerValueDoubleQuant { bits += " (\(String(format: "%.3f", d)) DQ)" }
            let scale = f.blockScaled ? " ×absmax" : ""
            rows.append([f.name, String(f.totalBits), "\(field(f.signBits))/\(field(f.exponentBits))/\(field(f.mantissaBits))",
                         num(f.largest) + scale, num(f.smallestNormal), num(f.smallestSubnormal), num(f.epsilon), bits])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max()! }
        var out = rows.map { r in r.indices.map { r[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces) }
        out.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        out.append("")
        for f in formats {
            out.append("\(f.name): overflow: \(f.overflow)")
            out.append(String(repeating: " ", count: f.name.count) + "  underflow: \(f.underflow)")
        }
        out.append("")
        out.append("int8, nf4 and fp4 values are multiples of a per-block absmax (block 64, Float32 scale: +0.5 bit/value);")
        out.append("their epsilon is the gap below 1, the top of the grid. DQ = double quantization of the absmax (QLoRA).")
        return out.joined(separator: "\n")
    }
}
