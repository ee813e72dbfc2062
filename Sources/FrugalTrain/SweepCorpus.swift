// SweepCorpus — a deterministic procedural English-like corpus for scaling sweeps: a small
// probabilistic grammar written for this project (MIT, like the rest of it), so the sweep needs no
// downloaded data. It has learnable structure at several ranges, which is what makes bigger models
// and more tokens pay off:
//   spelling      a few hundred words, regular plurals (-s, -es, -ies) and verb agreement;
//   syntax        subject–verb number agreement, "a"/"an" by the next word's first letter,
//                 capitals after a full stop, commas before subordinate clauses;
//   paragraphs    each paragraph has a topic (kitchen, harbour, forest, workshop, city, garden,
//                 weather, library) that most content words come from, and a named character who
//                 recurs (copying a name seen earlier is an attention task).
// The generator also sums −log p of every random choice it makes, so it knows the entropy of its
// own derivations per byte: an upper bound on the text's entropy rate (two derivations can spell
// the same text), i.e. no model can beat it by much — a reference for a fitted E.
// Leaves out: anything semantic beyond topic coherence; it is not meant to read well.
import Foundation
import FrugalCore

public struct SweepCorpus: Sendable {
    /// The text, ASCII.
    public let bytes: [UInt8]
    /// Σ −log p(choice) over the derivation, in nats, divided by the byte count.
    public let derivationNatsPerByte: Double

    /// Generates paragraphs from `seed` until at least `bytes` bytes are written.
    public static func generate(bytes target: Int, seed: UInt64 = 1) -> SweepCorpus {
        var g = Generator(seed: seed)
        var out = String()
        out.reserveCapacity(target + 2048)
        while out.utf8.count < target { out += g.paragraph() + "\n\n" }
        let b = Array(out.utf8)
        return SweepCorpus(bytes: b, derivationNatsPerByte: g.nats / Double(b.count))
    }

    // MARK: lexicon

    struct Topic {
        let nouns: [String]       // singular; plurals are formed by rule
        let verbsIntransitive: [String]  // base (plural) form
        let verbsTransitive: [String]
        let adjectives: [String]
        let places: [String]      // "in the …", "near the …"
    }

    static let topics: [Topic] = [
        Topic(nouns: ["cook", "pot", "knife", "onion", "oven", "spoon", "baker", "kettle", "plate", "apple", "loaf", "cup"],
              verbsIntransitive: ["simmer", "steam", "wait", "cool", "rest"],
              verbsTransitive: ["chop", "stir", "wash", "slice", "fill", "warm"],
              adjectives: ["hot", "clean", "sharp", "fresh", "heavy", "empty"],
              places: ["kitchen", "pantry", "bakery"]),
        Topic(nouns: ["boat", "sailor", "rope", "gull", "anchor", "net", "fisher", "wave", "crate", "lamp", "oar", "buoy"],
              verbsIntransitive: ["drift", "sail", "float", "rock", "wait"],
              verbsTransitive: ["pull", "tie", "mend", "load", "watch", "lift"],
              adjectives: ["wet", "salty", "old", "grey", "loose", "bright"],
              places: ["harbour", "dock", "bay"]),
        Topic(nouns: ["fox", "owl", "tree", "deer", "branch", "path", "hunter", "acorn", "stream", "moss", "stone", "leaf"],
              verbsIntransitive: ["rustle", "grow", "sleep", "hide", "wander"],
              verbsTransitive: ["follow", "find", "climb", "cross", "gather", "hear"],
              adjectives: ["green", "quiet", "tall", "dark", "wild", "soft"],
              places: ["forest", "valley", "clearing"]),
        Topic(nouns: ["hammer", "nail", "board", "saw", "carpenter", "drill", "bench", "screw", "clamp", "plank", "glue", "chisel"],
              verbsIntransitive: ["hum", "rattle", "break", "work", "turn"],
              verbsTransitive: ["cut", "fix", "sand", "build", "measure", "drill"],
              adjectives: ["rough", "smooth", "long", "broken", "steel", "square"],
              places: ["workshop", "shed", "yard"]),
        Topic(nouns: ["bus", "street", "tower", "driver", "crowd", "bridge", "shop", "clerk", "train", "sign", "window", "car"],
              verbsIntransitive: ["hurry", "stop", "shine", "rush", "wait"],
              verbsTransitive: ["pass", "paint", "open", "close", "visit", "clean"],
              adjectives: ["busy", "loud", "narrow", "modern", "crowded", "bright"],
              places: ["city", "square", "station"]),
        Topic(nouns: ["rose", "bee", "gardener", "seed", "hose", "weed", "tulip", "bush", "spade", "berry", "worm", "fence"],
              verbsIntransitive: ["bloom", "grow", "buzz", "wilt", "sprout"],
              verbsTransitive: ["plant", "water", "prune", "pick", "dig", "trim"],
              adjectives: ["red", "sweet", "young", "thorny", "yellow", "small"],
              places: ["garden", "orchard", "greenhouse"]),
        Topic(nouns: ["cloud", "storm", "wind", "raindrop", "sky", "puddle", "umbrella", "sun", "fog", "hill", "flag", "kite"],
              verbsIntransitive: ["blow", "pour", "clear", "gather", "fade"],
              verbsTransitive: ["soak", "chase", "cover", "shake", "dry", "lift"],
              adjectives: ["cold", "cloudy", "grey", "windy", "warm", "heavy"],
              places: ["hills", "valley", "coast"]),
        Topic(nouns: ["book", "reader", "shelf", "page", "librarian", "map", "letter", "desk", "pencil", "story", "index", "note"],
              verbsIntransitive: ["read", "rest", "listen", "study", "whisper"],
              verbsTransitive: ["borrow", "copy", "sort", "open", "write", "return"],
              adjectives: ["thick", "dusty", "rare", "silent", "blue", "useful"],
              places: ["library", "archive", "study"]),
    ]

    static let commonNouns = ["friend", "child", "neighbour", "dog", "cat", "box", "door", "morning", "visitor", "bird"]
    static let commonAdjectives = ["little", "early", "happy", "tired", "curious", "careful", "new", "other"]
    static let adverbs = ["slowly", "quickly", "again", "quietly", "carefully", "often", "still", "together"]
    static let names = ["Ada", "Ben", "Cleo", "Dan", "Edda", "Finn", "Greta", "Hugo", "Iris", "Jon", "Kira", "Leo",
                        "Mira", "Nils", "Olga", "Piet", "Rosa", "Sami", "Tove", "Uma"]
    static let prepositions = ["in", "near", "behind", "outside"]
    static let times = ["In the morning", "At noon", "Later", "After a while", "That evening", "Before dawn"]

    // MARK: the generator

    struct Generator {
        let rng: RandomGenerator
        var nats = 0.0
        init(seed: UInt64) { rng = RandomGenerator(seed: seed) }

        /// Uniform choice among n, logging its probability.
        mutating func pick(_ n: Int) -> Int {
            nats += log(Double(n))
            return Int(rng.next() % UInt64(n))
        }
        mutating func pick<T>(_ xs: [T]) -> T { xs[pick(xs.count)] }
        /// True with probability k/n.
        mutating func chance(_ k: Int, _ n: Int) -> Bool {
            let hit = Int(rng.next() % UInt64(n)) < k
            nats -= log(Double(hit ? k : n - k) / Double(n))
            return hit
        }

        struct Context {
            let topic: Topic
            let hero: String
        }

        mutating func paragraph() -> String {
            let ctx = Context(topic: SweepCorpus.topics[pick(SweepCorpus.topics.count)], hero: pick(SweepCorpus.names))
            let place = pick(ctx.topic.places)
            var sentences = ["\(ctx.hero) was in the \(place)."]
            let count = 3 + pick(4)
            for _ in 0..<count { sentences.append(sentence(ctx)) }
            return sentences.joined(separator: " ")
        }

        mutating func sentence(_ c: Context) -> String {
            switch pick(5) {
            case 0: return capitalized(clause(c)) + "."
            case 1: return capitalized(clause(c)) + ", and " + clause(c) + "."
            case 2: return pick(SweepCorpus.times) + ", " + clause(c) + "."
            case 3: return "When " + clause(c) + ", " + clause(c) + "."
            default:
                let (np, plural) = nounPhrase(c, subject: true)
                return capitalized(np) + " " + (plural ? "were" : "was") + " " + adjective(c) + "."
            }
        }

        /// subject + verb phrase, agreeing in number.
        mutating func clause(_ c: Context) -> String {
            let subject: String, plural: Bool
            if chance(1, 3) { subject = c.hero; plural = false } else { (subject, plural) = nounPhrase(c, subject: true) }
            var vp: String
            if chance(1, 2) {
                vp = conjugate(pick(c.topic.verbsIntransitive), plural: plural)
            } else {
                vp = conjugate(pick(c.topic.verbsTransitive), plural: plural) + " " + nounPhrase(c, subject: false).0
            }
            if chance(1, 4) { vp += " " + pick(SweepCorpus.adverbs) }
            if chance(1, 4) { vp += " " + pick(SweepCorpus.prepositions) + " the " + pick(c.topic.places) }
            return subject + " " + vp
        }

        /// "the old boats", "a wet rope", "two gulls", "an empty pot"; returns whether it is plural.
        mutating func nounPhrase(_ c: Context, subject: Bool) -> (String, Bool) {
            let noun = chance(4, 5) ? pick(c.topic.nouns) : pick(SweepCorpus.commonNouns)
            let adj: String? = chance(2, 5) ? adjective(c) : nil
            switch pick(4) {
            case 0, 1:
                return ("the " + [adj, noun].compactMap { $0 }.joined(separator: " "), false)
            case 2:
                let rest = [adj, noun].compactMap { $0 }.joined(separator: " ")
                return (article(rest) + " " + rest, false)
            default:
                let det = pick(["the", "two", "some", "three", "many"])
                return (det + " " + [adj, plural(noun)].compactMap { $0 }.joined(separator: " "), true)
            }
        }

        mutating func adjective(_ c: Context) -> String {
            chance(3, 4) ? pick(c.topic.adjectives) : pick(SweepCorpus.commonAdjectives)
        }
    }

    // MARK: morphology (deterministic, so learnable)

    static func plural(_ noun: String) -> String {
        switch noun {
        case "child": return "children"
        case "loaf": return "loaves"
        case "leaf": return "leaves"
        case "knife": return "knives"
        case "hills": return noun
        default: break
        }
        if noun.hasSuffix("s") || noun.hasSuffix("x") || noun.hasSuffix("sh") || noun.hasSuffix("ch") { return noun + "es" }
        if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) { return noun.dropLast() + "ies" }
        return noun + "s"
    }

    /// Present tense: base form for plural subjects, third person singular otherwise.
    static func conjugate(_ verb: String, plural: Bool) -> String {
        if plural { return verb }
        if verb.hasSuffix("s") || verb.hasSuffix("x") || verb.hasSuffix("sh") || verb.hasSuffix("ch") || verb.hasSuffix("o") { return verb + "es" }
        if verb.hasSuffix("y"), let before = verb.dropLast().last, !"aeiou".contains(before) { return verb.dropLast() + "ies" }
        return verb + "s"
    }

    static func article(_ next: String) -> String { "aeiou".contains(next.first ?? "x") ? "an" : "a" }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}

private func plural(_ noun: String) -> String { SweepCorpus.plural(noun) }
private func conjugate(_ verb: String, plural: Bool) -> String { SweepCorpus.conjugate(verb, plural: plural) }
private func article(_ next: String) -> String { SweepCorpus.article(next) }
private func capitalized(_ s: String) -> String { SweepCorpus.capitalized(s) }
