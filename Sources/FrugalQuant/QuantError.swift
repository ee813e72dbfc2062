// QuantError — the typed errors of FrugalQuant. Messages name the offending value and say what to do.
// Programmer errors (a destination buffer of the wrong size, a row range outside the shape) are
// preconditions instead, with both sizes in the message.
public enum QuantError: Error, CustomStringConvertible, Equatable {
    /// The input holds NaN or ±inf at `index`; blockwise absmax scaling cannot represent it.
    case nonFinite(index: Int, value: Float)
    /// A block size outside the set bitsandbytes accepts.
    case invalidBlockSize(Int, allowed: [Int])
    /// `shape` does not multiply out to the number of values given.
    case shapeMismatch(shape: [Int], count: Int)
    /// A stored array (packed bytes, absmax, nested absmax, quant map) has the wrong length.
    case lengthMismatch(field: String, expected: Int, actual: Int)
    /// A quant_state JSON object that could not be parsed or holds an unsupported value.
    case badQuantState(String)
    /// A code table that is not sorted ascending (the 8-bit quantizers search it).
    case unsortedCode

    public var description: String {
        switch self {
        case let .nonFinite(index, value):
            return "input value \(value) at flat index \(index) is not finite; remove NaN/inf values (e.g. clip or zero them) before quantizing"
        case let .invalidBlockSize(b, allowed):
            return "block size \(b) is not supported; use one of \(allowed.map(String.init).joined(separator: ", "))"
        case let .shapeMismatch(shape, count):
            return "shape \(shape) holds \(shape.reduce(1, *)) values but \(count) were given; pass the tensor's real shape"
        case let .lengthMismatch(field, expected, actual):
            return "\(field) has \(actual) entries but the shape and block size need \(expected); the quantized tensor is inconsistent or truncated"
        case let .badQuantState(why):
            return "bitsandbytes quant_state: \(why)"
        case .unsortedCode:
            return "the quantization code table must be sorted ascending (as bitsandbytes' dynamic map is)"
        }
    }
}
