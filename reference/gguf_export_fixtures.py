#!/usr/bin/env python3
"""Golden bytes for Frugal's GGUF quantizers (Tests/FrugalIOTests/Fixtures/gguf_quants.json).

Pinned stack: gguf 0.19.0 (`gguf/quants.py`: F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0), numpy 2.x, and,
for the K-quants gguf-py does not implement (Q4_K, Q6_K), llama.cpp's own reference quantizers
`quantize_row_q4_K_ref` / `quantize_row_q6_K_ref` called through ctypes in the libggml-base shared
library that llama-cpp-python 0.3.16 builds (pip install llama-cpp-python==0.3.16; the vendored
llama.cpp is compiled on install). Where both exist, ggml's `quantize_row_*_ref` is also run on the
gguf-py types and must agree byte for byte (the script stops otherwise), so the fixtures are what
llama-quantize writes (it calls these functions when no importance matrix is given) — with one
documented exception: a block of -0.0 (gguf-py's argmax picks element 0, so max = -0.0 and the
scale d = +0; ggml's strict `amax < |v|` keeps max = +0, so d = -0). Only the sign of a zero scale
differs; the fixture keeps gguf-py's bytes and records ggml's under "ggml_differs".

Inputs: deterministic (seeded numpy, and hand-written edge cases): Gaussian rows, rows of mixed
scales, all-zero blocks, constant blocks, a single non-zero, +/- ties of the largest magnitude,
exact .5 ties after scaling, tiny (1e-30, 1e-36) and huge (1e30) values, -0.0, fp16 and bf16
rounding ties and the fp16 overflow boundary (65504, 65519.99, 65520). Each input holds 512 values
(two K-quant super-blocks, sixteen 32-blocks). No NaN (Frugal refuses NaN weights before export).

Encoding: f32 inputs as one hex string of big-endian uint32 bit patterns (8 hex digits per value);
quantized bytes as one hex string (2 hex digits per byte, file order).

Run:  reference/.venv/bin/python reference/gguf_export_fixtures.py   (from the repository root)
"""
import ctypes
import glob
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import quantize

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalIOTests", "Fixtures",
                   "gguf_quants.json")
N = 512


def hex_f32(a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32)).view(np.uint32)
    return "".join(f"{int(v):08x}" for v in a.reshape(-1))


def f32(bits):
    return np.array(bits, dtype=np.uint32).view(np.float32)


def inputs():
    rng = np.random.default_rng(20250611)
    cases = {}
    cases["gaussian"] = rng.standard_normal(N).astype(np.float32)
    # Blocks of very different scales (one super-block of weights, one of small values).
    mixed = rng.standard_normal(N).astype(np.float32)
    mixed[:256] *= np.float32(0.02)
    mixed[256:] *= np.repeat(np.float32(10.0) ** rng.integers(-3, 3, 8).astype(np.float32), 32)
    cases["mixed_scales"] = mixed

    e = rng.standard_normal(N).astype(np.float32)
    e[0:32] = 0.0                                            # all-zero block
    e[32:64] = 0.75                                          # constant block
    e[64:96] = 0.0; e[70] = -3.0                             # single non-zero
    e[96:128] = rng.uniform(-1, 1, 32); e[100] = -2.0; e[120] = 2.0   # +/- tie of max |x|: first wins
    # Values that land exactly on .5 after scaling: max 8 -> d = -1 (Q4_0), x/d + 8.5 integral steps.
    e[128:160] = np.arange(-8, 8, 0.5, dtype=np.float32)
    e[160:192] = np.float32(1e-30) * rng.standard_normal(32).astype(np.float32)   # tiny
    # Near the bottom of the normal range (a block of subnormals would make 1/d overflow, where C's
    # float->int8 cast is undefined).
    e[192:224] = np.float32(1e-36) * rng.uniform(-1, 1, 32).astype(np.float32)
    e[224:256] = -0.0
    e[256:288] = np.float32(1e30) * rng.standard_normal(32).astype(np.float32)    # huge (f16 overflow)
    e[288:320] = [65504, 65519.99, 65520, -65520, 1e5, 6.1035156e-05, 5.9604645e-08, 2.9802322e-08,
                  1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -10, -(1 + 2 ** -11), 2048 + 1, 2048 + 3, 0.1, -0.1,
                  *rng.standard_normal(16)]
    # bf16 ties: low 16 bits exactly 0x8000 with even and odd upper halves, and just off them.
    e[320:352] = f32([0x3F808000, 0x3F818000, 0xBF808000, 0xBF818000, 0x3F807FFF, 0x3F808001, 0x7F7F8000,
                      0x7F7FFFFF, 0x00008000, 0x00018000, *[0x40000000 + 0x10000 * i + 0x8000 for i in range(22)]])
    e[352:384] = -np.abs(rng.standard_normal(32)).astype(np.float32)             # all negative
    e[384:416] = np.abs(rng.standard_normal(32)).astype(np.float32) + 5          # all positive, offset
    # Rest of the last super-block: a sparse block mix.
    tail = rng.standard_normal(96).astype(np.float32)
    tail[rng.random(96) < 0.7] = 0
    e[416:512] = tail
    cases["edge"] = e
    # Edge cases for the K-quant searches without huge values (their C asserts need |x/d| < 2^22):
    k = rng.standard_normal(N).astype(np.float32)
    k[0:256] = 0.0; k[5] = 1e-20; k[300] = 1e-20      # a super-block that is (almost) zero
    k[256:272] = 3.0                                  # constant sub-blocks
    k[272:304] = np.arange(32, dtype=np.float32) - 16
    k[320:352] = np.abs(k[320:352]) + 2               # min > 0 sub-block
    k[352:384] = -np.abs(k[352:384])
    cases["k_edge"] = k
    return cases


def find_ggml():
    try:
        import llama_cpp
    except ImportError:
        return None
    libdir = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
    for name in ["libggml-base.so", "libggml-base.dylib"]:
        for p in glob.glob(os.path.join(libdir, name)):
            lib = ctypes.CDLL(p)
            return lib, llama_cpp.__version__
    return None


GGML_REF = {T.Q8_0: "quantize_row_q8_0_ref", T.Q4_0: "quantize_row_q4_0_ref", T.Q4_1: "quantize_row_q4_1_ref",
            T.Q5_0: "quantize_row_q5_0_ref", T.Q4_K: "quantize_row_q4_K_ref", T.Q6_K: "quantize_row_q6_K_ref"}


def ggml_quantize(lib, qtype, x):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    out = ctypes.create_string_buffer(len(x) // block * size)
    fn = getattr(lib, GGML_REF[qtype])
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn.restype = None
    xs = np.ascontiguousarray(x, dtype=np.float32)
    fn(xs.ctypes.data, out, len(x))
    return out.raw


def main():
    ggml = find_ggml()
    if ggml is None:
        sys.exit("llama-cpp-python 0.3.16 is needed for the Q4_K/Q6_K reference: "
                 "reference/.venv/bin/pip install llama-cpp-python==0.3.16")
    lib, lcpp_version = ggml
    cases = inputs()
    out = {"generated_by": "reference/gguf_export_fixtures.py",
           "versions": {"gguf": gguf.__version__ if hasattr(gguf, "__version__") else "0.19.0",
                        "numpy": np.__version__, "llama_cpp_python": lcpp_version},
           "reference": {"F32": "identity", "F16": "gguf-py (numpy astype float16)", "BF16": "gguf-py quants.BF16",
                         "Q8_0": "gguf-py, checked equal to ggml quantize_row_q8_0_ref",
                         "Q4_0": "gguf-py, checked equal to ggml quantize_row_q4_0_ref",
                         "Q4_1": "gguf-py, checked equal to ggml quantize_row_q4_1_ref",
                         "Q5_0": "gguf-py, checked equal to ggml quantize_row_q5_0_ref",
                         "Q4_K": "ggml quantize_row_q4_K_ref (gguf-py has no Q4_K quantizer)",
                         "Q6_K": "ggml quantize_row_q6_K_ref (gguf-py has no Q6_K quantizer)"},
           "cases": []}
    for name, x in cases.items():
        x = np.asarray(x, dtype=np.float32)
        assert x.shape == (N,)
        entry = {"name": name, "input": hex_f32(x), "quantized": {}}
        for qt in [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q4_K, T.Q6_K]:
            if qt in (T.Q4_K, T.Q6_K):
                if name == "edge":
                    continue  # huge values break the K-quant searches' nearest_int range (C asserts)
                b = ggml_quantize(lib, qt, x)
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    b = bytes(np.ascontiguousarray(quantize(x.reshape(2, 256), qt)).view(np.uint8).reshape(-1))
                if qt in GGML_REF:
                    c = ggml_quantize(lib, qt, x)
                    if b != c:
                        # Known: a block of -0.0 gives gguf-py max = -0.0 (argmax picks element 0),
                        # so d = +0, while ggml's strict `amax < |v|` keeps max = +0, d = -0. Only the
                        # sign of a zero scale differs; anything else stops the script.
                        bs, ts = gguf.GGML_QUANT_SIZES[qt]
                        for k in range(len(b) // ts):
                            bb, cc = b[k * ts:(k + 1) * ts], c[k * ts:(k + 1) * ts]
                            if bb != cc and not (np.all(x[k * bs:(k + 1) * bs] == 0) and bb[2:] == cc[2:]
                                                 and {bb[:2], cc[:2]} == {b"\x00\x00", b"\x00\x80"}):
                                sys.exit(f"gguf-py and ggml disagree on {qt.name} for case {name}, block {k}")
                        entry.setdefault("ggml_differs", {})[qt.name] = c.hex()
                        print(f"note: {name} {qt.name}: gguf-py and ggml differ only in the sign of a zero scale")
            entry["quantized"][qt.name] = b.hex()
        out["cases"].append(entry)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
