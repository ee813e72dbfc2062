#!/usr/bin/env python3
"""Golden fixtures for FrugalText (byte-level BPE, ChatML template).

Pinned stack: tokenizers 0.23.3, transformers 5.23, gguf 0.19.0 (reference/.venv, see reference/requirements.txt).
Run:  python reference/tokenizer_fixtures.py [path/to/SmolLM2-135M-Instruct.Q4_1.gguf]
Writes into Tests/FrugalTextTests/Fixtures/:
  smollm2_encodings.json        ids for ~60 texts with SmolLM2's real pipeline
                                (Sequence[Digits(individual), ByteLevel] — llama.cpp "smollm"),
                                ids from transformers' GGUF converter (plain ByteLevel), decodes,
                                chat-template renderings + ids, the template string.
  smollm2_subset_tokenizer.json a tokenizer.json holding only the part of the SmolLM2 vocabulary
                                and merges these texts can reach (ids unchanged), checked here to
                                give identical ids; lets the Swift tests run without the GGUF.
  synthetic_tokenizer.json      a ~400-token byte-level BPE trained here with `tokenizers`
                                (add_prefix_space, added tokens with lstrip/rstrip/single_word,
                                TemplateProcessing), and synthetic_encodings.json.
Deterministic: no randomness; the trainer sees a fixed corpus.
"""
import json
import os
import sys

from gguf import GGUFReader
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FrugalTextTests", "Fixtures")
# The default model where scripts/setup puts it ($FRUGAL_HOME/models, else ~/.cache/frugal/models).
MODELS = os.path.join(os.environ.get("FRUGAL_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "frugal"), "models")
GGUF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(MODELS, "SmolLM2-135M-Instruct.Q4_1.gguf")

TEXTS = [
    "Hello, world!",
    "The year 2024 had 365 days.",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n",
    "don't I'll we've",
    "12345",
    "a 1",
    "x  12",
    "3.14159 and -42, 1e10, 0x1F",
    "",
    " ",
    "  ",
    "\n",
    "\n\n\n",
    "trailing spaces   ",
    "  leading spaces",
    "tabs\tand\tmore\t\ttabs",
    "line one\nline two\r\nline three\n\n",
    "mixed \n \n  whitespace\t \n",
    "def f(x):\n    return x * 2  # double\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "if __name__ == \"__main__\":\n\tmain()",
    "SELECT * FROM users WHERE id = 7;",
    "<html><body class=\"x\">Hi</body></html>",
    "emoji: 🤗😀👍🏽 done",
    "🤗",
    "👨‍👩‍👧‍👦 family",
    "日本語のテキストです。",
    "中文分词测试，包括标点。",
    "한국어 텍스트",
    "Здравствуй, мир!",
    "Ελληνικά γράμματα",
    "مرحبا بالعالم",
    "café naïve façade résumé Ångström",
    "e\u0301 (combining acute)",
    "ﬁ ligature and Ⅻ roman numeral and ½ fraction and ٣ arabic digit",
    "I'M SHOUTING, YOU'RE NOT, THEY'LL SEE",
    "'s 't 're 've 'm 'll 'd",
    "rock'n'roll o'clock",
    "multiple!!! punctuation??? ... ---",
    "email@example.com https://huggingface.co/HuggingFaceTB",
    "$100.00 & 50% off #deal @user ~tilde `code`",
    "<|endoftext|>",
    "<|im_start|><|im_end|>",
    "text<|im_end|>more<|im_start|>system",
    "<|im_start|> assistant \n",
    "<|im_start",
    "<repo_name>frugal<file_sep>main.swift",
    "a<|endoftext|>b<|endoftext|>",
    "\u00a0non-breaking\u00a0space",
    "zero\u200bwidth\u200bspace",
    "ideographic\u3000space",
    "control\u0001chars\u007f",
    "bytes without a token: \u0004 \u0006 \U00040000 end",
    "replacement \ufffd char",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "     indented code block",
    "a" * 40,
    "ab " * 10,
    "Ġ Ċ ĉ (the byte-level characters themselves)",
    "LoRA rank r=8, alpha=16, dropout=0.05; QLoRA uses NF4.",
]

# Seeded random strings over pieces chosen to hit the regex's corners (contractions, the optional
# space, whitespace lookahead, Unicode spaces and numbers, combining marks, partial special tokens).
FUZZ_POOL = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "a", "Z", "é", "'", "s", "t", "re",
             "ll", "'s", "1", "23", "½", "٣", ".", ",", "!", "-", "_", "(", ")", "日", "本", "🤗",
             "\u0301", "<|im_end|>", "<|im", "x", "ve", "'d", "'M"]


def fuzz_texts(count=150, seed=20241129):
    import random
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_POOL) for _ in range(rng.randint(1, 16))) for _ in range(count)]


CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are terse."},
     {"role": "user", "content": "Hi!"},
     {"role": "assistant", "content": "Hello."},
     {"role": "user", "content": "2+2?"}],
    [{"role": "user", "content": "Write a haiku."},
     {"role": "assistant", "content": "Leaves fall 🍂\nquietly  \n"}],
]

SPECIAL_CONTROL = 3


def read_gguf(path):
    r = GGUFReader(path)
    f = r.fields
    get = lambda k: f[k].contents()
    return {
        "tokens": get("tokenizer.ggml.tokens"),
        "merges": get("tokenizer.ggml.merges"),
        "types": get("tokenizer.ggml.token_type"),
        "bos": get("tokenizer.ggml.bos_token_id"),
        "eos": get("tokenizer.ggml.eos_token_id"),
        "unk": get("tokenizer.ggml.unknown_token_id"),
        "pad": get("tokenizer.ggml.padding_token_id"),
        "pre": get("tokenizer.ggml.pre"),
        "chat_template": get("tokenizer.chat_template"),
    }


def build(vocab, merges, specials, digits=True):
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False))
    bl = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), bl]) if digits else bl
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def smollm2():
    g = read_gguf(GGUF)
    vocab = {t: i for i, t in enumerate(g["tokens"])}
    merges = [tuple(m.split(" ", 1)) for m in g["merges"]]
    specials = [t for t, ty in zip(g["tokens"], g["types"]) if ty == SPECIAL_CONTROL]
    tok = build(vocab, merges, specials)
    for s in specials:
        assert tok.token_to_id(s) == vocab[s]

    from transformers import AutoTokenizer
    hf = AutoTokenizer.from_pretrained(os.path.dirname(GGUF), gguf_file=os.path.basename(GGUF))

    cases = []
    used = set(range(17)) | set(range(17, 273))
    for text in TEXTS + fuzz_texts():
        ids = tok.encode(text, add_special_tokens=False).ids
        plain = hf.encode(text, add_special_tokens=False)
        used.update(ids)
        cases.append({
            "text": text,
            "ids": ids,
            "ids_plain_bytelevel": plain,
            "decoded": tok.decode(ids, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
        })

    chats = []
    for conv in CONVERSATIONS:
        for gen in (False, True):
            rendered = hf.apply_chat_template(conv, tokenize=False, add_generation_prompt=gen)
            ids = tok.encode(rendered, add_special_tokens=False).ids
            used.update(ids)
            chats.append({"messages": conv, "add_generation_prompt": gen, "rendered": rendered, "ids": ids})

    # Invalid UTF-8 across token boundaries: lone byte tokens of an emoji, decoded lossily.
    # (21 bytes have no token in this vocabulary: 0x04 0x06 0x13 0x14 0x16 0x1d 0xc0 0xc1 0xf1 0xf2
    # 0xf5-0xff; with no unk token HF drops them when encoding.)
    byte_id = {b: vocab[c] for b, c in zip(range(256), byte_chars()) if c in vocab}
    emoji = "🤗".encode()
    decode_cases = []
    for seq in ([emoji[0]], [emoji[0], emoji[1]], list(emoji[:3]) + [ord("a")], [0x80, ord("a")],
                [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0x80], [0xc2, 0xc3, 0xa9],
                [0xf4, 0x90, 0x80, 0x80], list(emoji) + [emoji[0]]):
        ids = [byte_id[b] for b in seq]
        used.update(ids)
        decode_cases.append({"ids": ids, "decoded": tok.decode(ids), "python_replace": bytes(seq).decode("utf-8", "replace")})

    # Subset vocabulary: every token in the merge trees of the used tokens, and every merge whose
    # two sides are both in that set (then BPE on these texts runs exactly as with the full table).
    produced = {}
    for a, b in merges:
        produced.setdefault(a + b, []).append((a, b))
    keep = set()
    stack = [g["tokens"][i] for i in used]
    while stack:
        t = stack.pop()
        if t in keep:
            continue
        keep.add(t)
        for a, b in produced.get(t, []):
            stack += [a, b]
    sub_merges = [(a, b) for a, b in merges if a in keep and b in keep]
    sub_vocab = {t: vocab[t] for t in keep}
    for a, b in sub_merges:
        sub_vocab[a + b] = vocab[a + b]
    sub = build(sub_vocab, sub_merges, specials)
    for c in cases:
        assert sub.encode(c["text"], add_special_tokens=False).ids == c["ids"], c["text"]
    for c in chats:
        assert sub.encode(c["rendered"], add_special_tokens=False).ids == c["ids"]
    sub.save(os.path.join(OUT, "smollm2_subset_tokenizer.json"), pretty=False)

    out = {
        "source": os.path.basename(GGUF),
        "vocab_size": len(g["tokens"]),
        "merge_count": len(g["merges"]),
        "bos_id": g["bos"], "eos_id": g["eos"], "unk_id": g["unk"], "pad_id": g["pad"],
        "pre": g["pre"],
        "chat_template": g["chat_template"],
        "specials": specials,
        "first_merges": g["merges"][:5],
        "last_merges": g["merges"][-3:],
        "cases": cases,
        "chats": chats,
        "decode_cases": decode_cases,
    }
    with open(os.path.join(OUT, "smollm2_encodings.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
    print(f"smollm2: {len(cases)} texts, {len(chats)} chats, subset {len(sub_vocab)} tokens / {len(sub_merges)} merges")


def byte_chars():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    table = dict(zip(bs, cs))
    return [chr(table[b]) for b in range(256)]


CORPUS = """Frugal fine-tunes small language models on a laptop CPU. Low-rank adapters train a few
million parameters while the base weights stay frozen; QLoRA stores those weights in 4-bit NF4.
The tokenizer splits text into pieces, maps bytes to printable characters and merges frequent pairs.
Hello hello HELLO world worlds wordy words 1234567890 3.14 2.71 cat cats concatenate category.
def main():\n    print("hello world")\n    return 0\n
Ceci n'est pas une pipe. ¿Dónde está la biblioteca? Grüße aus Köln. 東京 大阪 京都.
""" * 4


SYNTH_TEXTS = [
    "Hello world",
    "hello world, hello worlds!",
    "cat concatenate cats category",
    "  leading and trailing  ",
    "numbers 1234567890 and 3.14",
    "<s>already marked</s>",
    "a <mask> b",
    "a    <mask>   b",
    "<mask>",
    "x<mask>y",
    "say hello world twice: hello world",
    "zz is a single word, but fizzy and zzz are not; zz.",
    "Grüße aus Köln",
    "東京と大阪",
    "new\nlines\n\n",
    "emoji 🤗!",
    "",
    "<pad><pad>",
]


def synthetic():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=2, show_progress=False,
                                  special_tokens=["<s>", "</s>", "<pad>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS.split("\n"), trainer=trainer)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=False, special=True, normalized=False)])
    tok.add_tokens([AddedToken("hello world", normalized=False),
                    AddedToken("zz", single_word=True, normalized=False),
                    AddedToken("ész", rstrip=True, normalized=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    tok.save(os.path.join(OUT, "synthetic_tokenizer.json"))
    cases = []
    for text in SYNTH_TEXTS + ["szép ész   next", "ész"]:
        plain = tok.encode(text, add_special_tokens=False).ids
        with_special = tok.encode(text, add_special_tokens=True).ids
        cases.append({"text": text, "ids": plain, "ids_with_special": with_special,
                      "decoded": tok.decode(plain, skip_special_tokens=False),
                      "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True)})
    with open(os.path.join(OUT, "synthetic_encodings.json"), "w", encoding="utf-8") as fh:
        json.dump({"vocab_size": tok.get_vocab_size(), "cases": cases}, fh, ensure_ascii=False, indent=1)
    print(f"synthetic: vocab {tok.get_vocab_size()}, {len(cases)} texts")


CHATML_VARIANTS = [
    # Qwen2-style, one line, double-quoted keys and a different default system message.
    "{% for message in messages %}{% if loop.first and messages[0][\"role\"] != \"system\" %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message[\"role\"] + '\\n' + message[\"content\"] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    # Multi-line with whitespace control and attribute access, no default system message.
    "{%- for message in messages %}\n"
    "    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n",
    # trim_blocks / lstrip_blocks on the block tags, {{- -}} on the expressions, default block
    # before the loop.
    "{% if messages[0]['role'] != 'system' %}\n"
    "  {{- \"<|im_start|>system\\nBe brief.<|im_end|>\\n\" -}}\n"
    "  {% endif %}\n"
    "{% for message in messages %}\n"
    "  {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}\n"
    "{% endfor %}\n"
    "{% if add_generation_prompt %}\n"
    "  {{- '<|im_start|>assistant\\n' -}}\n"
    "{% endif %}",
]


def chat_variants():
    """Renderings of ChatML variants by jinja2 with transformers' settings (trim_blocks, lstrip_blocks)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    cases = []
    for src in CHATML_VARIANTS:
        tpl = env.from_string(src)
        for conv in CONVERSATIONS:
            for gen in (False, True):
                cases.append({"template": src, "messages": conv, "add_generation_prompt": gen,
                              "rendered": tpl.render(messages=conv, add_generation_prompt=gen)})
    with open(os.path.join(OUT, "chat_templates.json"), "w", encoding="utf-8") as fh:
        json.dump({"cases": cases}, fh, ensure_ascii=False, indent=1)
    print(f"chat variants: {len(cases)} renderings")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    chat_variants()
    synthetic()
    smollm2()
