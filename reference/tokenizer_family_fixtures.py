#!/usr/bin/env python3
"""Golden fixtures for FrugalText's tokenizer.json pipeline, one small tokenizer per model family.

Pinned stack: tokenizers 0.23.3 only (pip install tokenizers==0.23.3; no torch, no downloads).
Run:  python reference/tokenizer_family_fixtures.py
Each tokenizer is a BPE trained here on the built-in CORPUS below, with exactly the pipeline
configuration (normalizer, pre-tokenizer, model flags, post-processor, decoder) of the family's
published tokenizer.json. The vocabularies are small (300-700), so the files stay < 100 KB, but
every component runs. Writes into Tests/FrugalTextTests/Fixtures/:
  family_<name>_tokenizer.json   the tokenizer
  family_<name>_encodings.json   {"cases": [{text, ids, ids_with_special, decoded,
                                  decoded_skip_special}], "decode_cases": [{ids, decoded}]}
Families:
  llama3   Split(Llama 3 regex, Isolated) + ByteLevel(use_regex=false), ignore_merges,
           TemplateProcessing "<|begin_of_text|> $A", ByteLevel decoder
  qwen2    NFC + Split(Qwen2 regex, Isolated) + ByteLevel(use_regex=false), ByteLevel decoder
  llama2   Sequence[Prepend("▁"), Replace(" ", "▁")], no pre-tokenizer, byte_fallback + fuse_unk
           BPE with <0xNN> tokens, "<s> $A", decoders Replace/ByteFallback/Fuse/Strip
  gemma    Replace(" ", "▁") + Split(" ", MergedWithPrevious), byte_fallback BPE, "<bos> $A",
           decoders Replace/ByteFallback/Fuse
  mistral  Metaspace(prepend_scheme="first", split=false), byte_fallback BPE, "<s> $A",
           decoders Metaspace/ByteFallback/Fuse
  mixed    Sequence[NFKC, Lowercase] + Sequence[Digits(contiguous), Metaspace(always, split)],
           unk without byte fallback, Metaspace decoder (covers the remaining components)
Deterministic: no randomness except the seeded fuzz texts; the trainer sees a fixed corpus.
"""
import json
import os
import random

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FrugalTextTests", "Fixtures")

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

CORPUS = """The quick brown fox jumps over the lazy dog. It's a small world, isn't it? We'll see.
I'm here, you're there, they've gone and she'd come back. DON'T SHOUT! I'LL BE QUIET.
Frugal trains language models on one machine: LoRA, QLoRA, NF4 quantization and more.
def train(model, data, steps=1000):
    for step in range(steps):
        loss = model(data[step % len(data)])
        loss.backward()
    return model
The year 2024 had 366 days; 1,234,567 tokens were seen at 3.14 tokens per second.
Le café est très bon. Voilà une phrase française avec des accents: élève, garçon, où, naïve.
Die Straße ist lang und schön. Über den Wolken muss die Freiheit wohl grenzenlos sein.
El niño comió mañana. ¿Dónde está la biblioteca? ¡Hola!
Привет, мир! Это тест. Ελληνικά κείμενα εδώ.
日本語のテキストです。中文分词测试。
Tabs\tand\tnewlines\r\nmixed  with   spaces    everywhere.
<html><body>Hello</body></html> {"key": [1, 2, 3]} a_b-c+d=e*f/g
"""
CORPUS_LINES = [line for line in CORPUS.split("\n") if line] * 3

TEXTS = [
    "", " ", "  ", "\n", "\t", "\r\n", "\n\n\n", "\r\n\r\n", "a\r\n\r\n b", "  \n  ", " \n\n x",
    "Hello, world!", "Hello world", " Hello", "  Hello  world  ", "trailing spaces   ", "x   ",
    "tabs\tand\tmore\t\ttabs", "\ttab first", "line one\nline two\r\nline three\n\n",
    "mixed \n \n  whitespace\t \n", "x\n\n\ny",
    "The year 2024 had 365 days.", "1234567890", "12 345 6789", "3.14159 and -42, 1e10, 0x1F",
    "٣٤٥ arabic-indic and ½ ² Ⅻ", "a1b22c333d4444",
    "don't I'll we've", "I'M SHOUTING, YOU'RE NOT, THEY'LL SEE, SHE'D, WE'VE", "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D", "it'ſ long s", "rock'n'roll o'clock", "''s", "x's",
    "café naïve façade résumé Ångström", "cafe\u0301 nai\u0308ve", "\u00c5 vs A\u030a",
    "\ud55c\uad6d vs \u1112\u1161\u11ab\u1100\u116e\u11a8", "e\u0301\u0301\u0301",
    "日本語のテキストです。", "中文分词测试，包括标点。", "한국어 텍스트", "Здравствуй, мир!",
    "Ελληνικά γράμματα ΣΑΣ", "مرحبا بالعالم", "İstanbul Straße ﬁne ＡＢＣ１２３",
    "emoji: 🤗😀👍🏽 done", "🤗", "👨\u200d👩\u200d👧\u200d👦 family", "🇫🇷🇩🇪 flags",
    "multiple!!! punctuation??? ... ---", "(hello) [world] {x}", "a.b,c;d:e", " !x", "!!\n\n",
    "email@example.com https://huggingface.co/x", "$100.00 & 50% off #deal @user ~tilde `code`",
    "def f(x):\n    return x * 2  # double\n", "if a:\n\tb()\n\n\n\tc()",
    "\u00a0non-breaking\u00a0space", "ideographic\u3000space", "zero\u200bwidth", "line\u2028sep",
    "control\u0001chars\u007f", "replacement \ufffd char", "▁ lower one eighth block ▁▁",
    " " * 40, "\t" * 20, "\n" * 30, " \t\n" * 10, "a" * 60, "ab " * 12,
    "The quick brown fox jumps over the lazy dog. " * 3,
]

FUZZ_POOL = [" ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "a", "Z", "é", "e\u0301", "'", "s",
             "S", "t", "re", "ll", "'s", "'LL", "1", "23", "4567", "½", "٣", ".", ",", "!", "-", "(",
             "日", "本", "🤗", "\u0301", "x", "ve", "'d", "'M", "▁", "ﬁ", "İ"]


def fuzz_texts(count=120, seed=20250101):
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_POOL) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def byte_level_family(name, normalizer, pattern, specials, template_token, ignore_merges, vocab_size):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS_LINES, trainer=trainer)
    steps = [processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True)]
    if template_token is not None:
        steps.append(processors.TemplateProcessing(
            single=f"{template_token} $A", pair=f"{template_token} $A {template_token} $B:1",
            special_tokens=[(template_token, tok.token_to_id(template_token))]))
    tok.post_processor = processors.Sequence(steps)
    return tok


def sentencepiece_style(normalizer, pre_tokenizer, decoder, specials, bos, vocab_size, byte_fallback=True,
                        limit_alphabet=60):
    """A BPE over characters with '▁' for spaces and <0xNN> byte tokens after the specials (ids
    3..258, as in Llama 2 / Gemma), trained on the corpus after the family's normalization."""
    trainer_tok = Tokenizer(models.BPE(unk_token="<unk>"))
    if normalizer is not None:
        trainer_tok.normalizer = normalizer
    if pre_tokenizer is not None:
        trainer_tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  special_tokens=[], limit_alphabet=limit_alphabet)
    trainer_tok.train_from_iterator(CORPUS_LINES, trainer=trainer)
    trained = json.loads(trainer_tok.to_str())["model"]
    vocab = {}
    for s in specials:
        vocab[s] = len(vocab)
    if byte_fallback:
        for b in range(256):
            vocab[f"<0x{b:02X}>"] = len(vocab)
    for token, _ in sorted(trained["vocab"].items(), key=lambda kv: kv[1]):
        if token not in vocab:
            vocab[token] = len(vocab)
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in trained["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=byte_fallback))
    if normalizer is not None:
        tok.normalizer = normalizer
    if pre_tokenizer is not None:
        tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoder
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B:1", special_tokens=[(bos, vocab[bos])])
    return tok


def families():
    llama3_specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                       "<|eot_id|>"]
    qwen_specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    spm_decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    return {
        "llama3": byte_level_family("llama3", None, LLAMA3_PATTERN, llama3_specials, "<|begin_of_text|>",
                                    ignore_merges=True, vocab_size=700),
        "qwen2": byte_level_family("qwen2", normalizers.NFC(), QWEN2_PATTERN, qwen_specials, None,
                                   ignore_merges=False, vocab_size=700),
        "llama2": sentencepiece_style(
            normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]), None, spm_decoder,
            ["<unk>", "<s>", "</s>"], "<s>", vocab_size=450),
        "gemma": sentencepiece_style(
            normalizers.Replace(" ", "▁"), pre_tokenizers.Split(" ", behavior="merged_with_previous"),
            decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]),
            ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"], "<bos>", vocab_size=450),
        "mistral": sentencepiece_style(
            None, pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False),
            decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False),
                               decoders.ByteFallback(), decoders.Fuse()]),
            ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"], "<s>", vocab_size=450),
        "mixed": sentencepiece_style(
            normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()]),
            pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=False),
                                     pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)]),
            decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            ["<unk>", "<s>", "</s>"], "<s>", vocab_size=400, byte_fallback=False, limit_alphabet=50),
    }


def special_texts(tok):
    specials = [t.content for t in tok.get_added_tokens_decoder().values()]
    a, b = specials[0], specials[-1]
    return [a, f"{a}hello", f"{a} hello", f"hi{b}\n{a}x", f"{b}{b}", f"text{a}more {b} end ", f"<{a[1:]}"]


def decode_cases(tok):
    """Id sequences that exercise the decoder beyond round trips (byte-fallback runs that are not
    valid UTF-8, a leading special, repeated spaces)."""
    vocab = tok.get_vocab()
    out = []
    if "<0xE4>" in vocab:
        x, e4, b8, ad, a = (vocab[k] for k in ["<0x41>", "<0xE4>", "<0xB8>", "<0xAD>", "<0x61>"])
        out += [[e4], [e4, b8], [e4, b8, ad], [x, e4, b8, x], [e4, b8, ad, e4], [b8, a, e4, b8, ad]]
    sp = next((v for k, v in vocab.items() if k in ("▁", "Ġ")), None)
    word = next(v for k, v in sorted(vocab.items(), key=lambda kv: kv[1]) if k.isalpha() and len(k) > 2)
    if sp is not None:
        out += [[sp], [sp, sp, word], [word, sp, sp], [sp, word, sp, word]]
    added = sorted(tok.get_added_tokens_decoder().keys())
    out += [[added[0], word], [word, added[-1], word], [added[0], sp if sp is not None else word, word]]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, tok in families().items():
        path = os.path.join(OUT, f"family_{name}_tokenizer.json")
        tok.save(path, pretty=False)
        tok = Tokenizer.from_file(path)  # what the Swift side reads
        size = os.path.getsize(path)
        assert size < 100_000, (name, size)
        cases = []
        for text in TEXTS + special_texts(tok) + fuzz_texts():
            ids = tok.encode(text, add_special_tokens=False).ids
            with_special = tok.encode(text, add_special_tokens=True).ids
            cases.append({"text": text, "ids": ids, "ids_with_special": with_special,
                          "decoded": tok.decode(ids, skip_special_tokens=False),
                          "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True)})
        dec = [{"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False),
                "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)} for ids in decode_cases(tok)]
        with open(os.path.join(OUT, f"family_{name}_encodings.json"), "w", encoding="utf-8") as f:
            json.dump({"tokenizer": f"family_{name}_tokenizer.json", "vocab_size": tok.get_vocab_size(True),
                       "cases": cases, "decode_cases": dec}, f, ensure_ascii=False, indent=0)
            f.write("\n")
        print(f"{name}: vocab {tok.get_vocab_size(True)}, {size} bytes, {len(cases)} cases, {len(dec)} decode cases")


if __name__ == "__main__":
    main()
