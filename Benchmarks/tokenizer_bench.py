#!/usr/bin/env python3
"""Tokenizer encoding throughput, HF `tokenizers` (Rust, one thread) side of FrugalBench's
`tokenizer` section. Pinned: tokenizers 0.23.3 (reference/requirements.txt); no downloads.

  python Benchmarks/tokenizer_bench.py prepare DIR   # writes DIR/{text.txt, tokenizer.json, ids.bin}
  python Benchmarks/tokenizer_bench.py run DIR       # one timed encode of text.txt; prints JSON

`prepare` builds ~1 MB of mixed text (Python standard-library source — code, English comments and
docstrings — interleaved with seeded multilingual prose: accents, Cyrillic, Greek, CJK, emoji, digit
runs, CRLF and tab runs), trains a BPE of up to 32,000 tokens on it (the text supports ~14,000 at
min_frequency 2) with exactly Llama 3's pipeline (Split with
the Llama 3 regex, ByteLevel without regex, ignore_merges, "<|begin_of_text|> $A"), and stores HF's
ids so the Swift side can check it produced the same ones. `run` encodes the whole text twice
(add_special_tokens=False): cold (empty word cache) and warm, single-threaded (RAYON_NUM_THREADS=1 and
TOKENIZERS_PARALLELISM=false are forced here, before the library loads).
"""
import json
import os
import random
import sys
import sysconfig
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
TARGET_BYTES = 1_000_000

PROSE = [
    "The café on the corner serves crème brûlée and naïve espresso; it's open 24/7.",
    "Die Größe des Speichers beträgt 16 GiB, während das Modell 7.241.732.096 Parameter hat.",
    "Москва — столица России, а Санкт-Петербург был основан в 1703 году.",
    "Η γλώσσα προγραμματισμού Swift δημιουργήθηκε το 2014.",
    "東京は日本の首都です。人口は約1400万人で、世界最大の都市圏の一つです。",
    "机器学习模型需要大量的数据和计算资源，但是量化可以减少内存占用。",
    "서울은 대한민국의 수도이며 약 천만 명이 살고 있습니다.",
    "Emoji test: 🤗🚀✨ — 👍🏽 and 👨‍👩‍👧‍👦 families, flags 🇫🇷🇯🇵.",
    "I'M SURE YOU'LL SEE THAT WE'VE DONE IT; they'd said it's what she'd want.",
    "Order #12345678 shipped on 2024-03-15T10:22:33Z for $1,299.99 (tax 8.875%).",
    "Line with trailing spaces   \r\n\tand a tab-indented continuation\r\n\r\n",
    "    def forward(self, x):\n        return self.proj(torch.relu(x)) * 0.5\n\n\n",
]


def mixed_text():
    lib = sysconfig.get_paths()["stdlib"]
    files = sorted(f for f in os.listdir(lib) if f.endswith(".py"))
    rng = random.Random(1234)
    parts, size = [], 0
    for name in files:
        with open(os.path.join(lib, name), encoding="utf-8", errors="replace") as f:
            src = f.read()[:20_000]
        parts.append(src)
        size += len(src.encode())
        prose = " ".join(rng.choice(PROSE) for _ in range(rng.randint(4, 12))) + "\n"
        parts.append(prose)
        size += len(prose.encode())
        if size >= TARGET_BYTES:
            break
    text = "".join(parts)
    return text.encode()[:TARGET_BYTES].decode("utf-8", errors="ignore")


def prepare(out):
    os.makedirs(out, exist_ok=True)
    text = mixed_text()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=32_000, min_frequency=2, show_progress=False, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(text.splitlines(keepends=True), trainer=trainer)
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", 0)])])
    tok.save(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "text.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    ids = Tokenizer.from_file(os.path.join(out, "tokenizer.json")).encode(text, add_special_tokens=False).ids
    with open(os.path.join(out, "ids.bin"), "wb") as f:
        f.write(b"".join(i.to_bytes(4, "little") for i in ids))
    print(json.dumps({"bytes": len(text.encode()), "vocab": tok.get_vocab_size(), "tokens": len(ids)}))


def run(out):
    tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "text.txt"), encoding="utf-8", newline="") as f:
        text = f.read()
    t0 = time.perf_counter()
    tok.encode(text, add_special_tokens=False)  # cold: the word cache starts empty
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    ids = tok.encode(text, add_special_tokens=False).ids  # warm
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "cold_seconds": cold, "tokens": len(ids), "bytes": len(text.encode())}))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("prepare", "run"):
        sys.exit(__doc__)
    (prepare if sys.argv[1] == "prepare" else run)(sys.argv[2])
