// StopFilter — applies OpenAI's `stop` strings to text that arrives a token at a time: text is
// passed on as soon as it can no longer be the start of a stop string (the last
// (longest stop − 1) bytes are held back), and the reply ends just before the first stop string,
// which is not part of the reply (as OpenAI and llama.cpp's server do). Cuts fall on Unicode
// scalar boundaries, so streamed pieces are always valid UTF-8.
struct StopFilter {
    let stops: [String]
    private let holdBack: Int
    private var bytes: [UInt8] = []
    private var emitted = 0
    private(set) var stopped = false

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        holdBack = max(0, (self.stops.map(\.utf8.count).max() ?? 0) - 1)
    }

    /// Adds generated text; returns what may be shown now, and whether a stop string was reached.
    mutating func push(_ piece: String) -> (text: String, stopped: Bool) {
        guard !stopped else { return ("", true) }
        bytes.append(contentsOf: piece.utf8)
        if let cut = firstStop() {
            stopped = true
            defer { emitted = cut }
            return (take(emitted, cut), true)
        }
        var safe = bytes.count - holdBack
        while safe > emitted && safe < bytes.count && bytes[safe] & 0xC0 == 0x80 { safe -= 1 }
        guard safe > emitted else { return ("", false) }
        defer { emitted = safe }
        return (take(emitted, safe), false)
    }

    /// The text still held back at the end of generation.
    mutating func finish() -> String {
        guard !stopped, emitted < bytes.count else { return "" }
        defer { emitted = bytes.count }
        return take(emitted, bytes.count)
    }

    /// The byte offset of the earliest stop string. None can begin inside the text already shown:
    /// it would have been complete within the held-back bytes when that text was let through.
    private func firstStop() -> Int? {
        guard !stops.isEmpty else { return nil }
        let from = emitted
        var best: Int? = nil
        for s in stops {
            let pat = Array(s.utf8)
            guard bytes.count - from >= pat.count else { continue }
            var i = from
            while i + pat.count <= bytes.count {
                if bytes[i] == pat[0] && Array(bytes[i..<(i + pat.count)]) == pat { best = min(best ?? i, i); break }
                i += 1
            }
        }
        return best
    }

    private func take(_ a: Int, _ b: Int) -> String {
        a < b ? String(decoding: bytes[a..<b], as: UTF8.self) : ""
    }
}
