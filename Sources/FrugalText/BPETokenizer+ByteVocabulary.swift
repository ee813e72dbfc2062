// The tokenizer.json of a byte-level model (what `frugal pretrain` trains): 256 tokens, token id =
// byte value, no merges, no special tokens. The ByteLevel pre-tokenizer (use_regex false: byte
// tokens need no word splitting) maps each byte to GPT-2's printable character (ByteUnicodeMap), the
// vocabulary maps that character to the byte's value, and the ByteLevel decoder maps back — so
// Frugal and HF tokenizers read the folder alike. Leaves out: BOS/EOS (the model never saw them).
import Foundation

extension BPETokenizer {
    public static func byteVocabularyJSON() -> Data {
        var vocab: [String: Int] = [:]
        for b in 0..<256 { vocab[String(Character(ByteUnicodeMap.byteToScalar[b]))] = b }
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false]
        let root: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": [Any](),
            "normalizer": NSNull(), "pre_tokenizer": byteLevel, "post_processor": NSNull(), "decoder": byteLevel,
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocab, "merges": [Any]()] as [String: Any],
        ]
        return try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
    }
}
