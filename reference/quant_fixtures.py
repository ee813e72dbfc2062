#!/usr/bin/env python3
"""Golden fixtures for FrugalQuant (Tests/FrugalQuantTests/Fixtures/*.json).

Pinned stack: torch 2.15 (CPU), bitsandbytes 0.50.2 (CPU backend: native libbitsandbytes_cpu for
8-bit blockwise quantize/dequantize and 4-bit dequantize, the torch "default" backend for 4-bit
quantize). Deterministic: every input comes from a seeded numpy generator or is written out here.

Encoding, chosen so Swift can compare bit for bit without parsing decimal floats:
  f32 arrays -> one hex string, 8 hex digits (big-endian of the uint32 bit pattern) per value
  u16 arrays -> one hex string, 4 hex digits per value
  u8 arrays  -> one hex string, 2 hex digits per byte

Run:  python reference/quant_fixtures.py   (from the repository root; overwrites the fixtures)
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch

import bitsandbytes
import bitsandbytes.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FrugalQuantTests", "Fixtures")


def hex_f32(a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32)).view(np.uint32)
    return "".join(f"{int(v):08x}" for v in a.reshape(-1))


def hex_u16(a):
    a = np.ascontiguousarray(np.asarray(a)).view(np.uint16)
    return "".join(f"{int(v):04x}" for v in a.reshape(-1))


def hex_u8(a):
    return bytes(np.ascontiguousarray(np.asarray(a, dtype=np.uint8)).reshape(-1)).hex()


def t_f32(t):
    return hex_f32(t.detach().to(torch.float32).cpu().numpy())


def t_16(t):
    return hex_u16(t.detach().cpu().view(torch.int16).numpy())


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def meta():
    return {
        "torch": torch.__version__,
        "bitsandbytes": bitsandbytes.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "generator": "reference/quant_fixtures.py",
    }


# ---------------------------------------------------------------------------------------------
# 1. fp32 -> bf16 / fp16 (torch .to) on edge cases and random bit patterns
# ---------------------------------------------------------------------------------------------
def half_fixture():
    u = lambda x: np.uint32(x)
    edges = [
        0x00000000, 0x80000000, 0x3F800000, 0xBF800000,  # +-0, +-1
        0x7F800000, 0xFF800000,  # +-inf
        0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FA12345, 0xFFFFFFFF, 0x7FBFFFFF,  # NaNs
        0x7F7FFFFF, 0xFF7FFFFF,  # fp32 max
        0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x7F7EFFFF, 0x7F7F0000,  # bf16 overflow boundary
        0x00800000, 0x80800000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00008000, 0x00018000,
        0x00007FFF, 0x00010000, 0x00017FFF,  # subnormals / bf16 subnormal ties
        0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, 0xBF808000, 0xBF818000,  # bf16 RNE ties
        0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000, 0xC77FF000,  # fp16 65504 .. 65536
        0x38800000, 0x387FE000, 0x387FF000, 0x33800000, 0x33000000, 0x33000001, 0x33C00000,
        0x33A00000, 0x34200000, 0x34400000, 0x32FFFFFF, 0x387FC000, 0x38000000,  # fp16 subnormals
        0x3F801000, 0x3F803000, 0x3F801001, 0x3F802FFF,  # fp16 RNE ties around 1
        0x40490FDB, 0xC0490FDB, 0x3DCCCCCD, 0x4B800000, 0x4B800001,
    ]
    rng = np.random.default_rng(20260129)
    rnd_bits = rng.integers(0, 2**32, size=1500, dtype=np.uint64).astype(np.uint32)
    # values in the fp16 range (and its subnormals) are where fp16 rounding is interesting
    rnd_vals = np.concatenate([
        (rng.standard_normal(500) * 10.0 ** rng.integers(-9, 6, size=500)).astype(np.float32),
        (rng.standard_normal(300) * 1e-6).astype(np.float32),
    ]).view(np.uint32)
    bits = np.concatenate([np.array(edges, dtype=np.uint32), rnd_bits, rnd_vals])
    x = torch.from_numpy(bits.view(np.float32).copy())
    bf = x.to(torch.bfloat16)
    hf = x.to(torch.float16)
    # back to fp32 from every bf16/fp16 pattern seen (decoding direction)
    bf_back = bf.to(torch.float32)
    hf_back = hf.to(torch.float32)
    write("half.json", {
        "meta": meta(),
        "count": int(bits.size),
        "f32": hex_f32(bits.view(np.float32)),
        "bf16": t_16(bf),
        "fp16": t_16(hf),
        "bf16_to_f32": t_f32(bf_back),
        "fp16_to_f32": t_f32(hf_back),
    })


# ---------------------------------------------------------------------------------------------
# 2. 8-bit dynamic map and quantize_blockwise / dequantize_blockwise (CPU native)
# ---------------------------------------------------------------------------------------------
def blockwise8_fixture():
    code = F.create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)
    code_np = code.numpy().astype(np.float32)
    sha = hashlib.sha256(code_np.astype("<f4").tobytes()).hexdigest()

    rng = np.random.default_rng(8)
    cases = []

    def add(name, x, blocksize, store_x=True):
        t = torch.from_numpy(np.asarray(x, dtype=np.float32).copy())
        q, st = F.quantize_blockwise(t, blocksize=blocksize)
        dq = F.dequantize_blockwise(q, st)
        case = {"name": name, "blocksize": blocksize, "n": int(t.numel()),
                "q": hex_u8(q.numpy()), "absmax": t_f32(st.absmax)}
        if store_x:  # otherwise x is the grid formula below, and dq follows from q and absmax
            case["x"] = t_f32(t)
            case["dq"] = t_f32(dq)
        cases.append(case)

    a = rng.standard_normal(1000).astype(np.float32)
    a[300:556] = 0.0  # block 1 of 256 is all zero (bs 256: elements 256..511 -> partly); make exact below
    a[256:512] = 0.0
    a[700] = 40.0  # outlier
    add("normal_1000_bs256_zero_block_outlier", a, 256)
    add("normal_2000_bs4096", rng.standard_normal(2000).astype(np.float32) * 0.02, 4096)
    add("uniform_333_bs64", (rng.random(333) * 2 - 1).astype(np.float32), 64)
    # a fine grid over [-1, 1] with absmax exactly 1 exercises every code and the LUT rounding:
    # x[i] = Float((i - 20000) / 20000.0) for i in 0...40000 (the Swift test rebuilds it)
    grid = np.array([(i - 20000) / 20000.0 for i in range(40001)], dtype=np.float64).astype(np.float32)
    add("grid_40001_bs4096", grid, 4096, store_x=False)
    # values exactly on the midpoints between adjacent codes (ties), absmax 1 per block of 256
    mids = ((code_np[:-1] + code_np[1:]) / np.float32(2)).astype(np.float32)
    tie = np.concatenate([mids, np.array([1.0], dtype=np.float32)])
    add("midpoints_256_bs256", tie, 256)
    # random absmax-minus-mean style input (what double quantization feeds it)
    am = np.abs(rng.standard_normal(600).astype(np.float32)) * 0.05
    add("centered_600_bs256", am - am.mean(dtype=np.float32), 256)
    write("blockwise8.json", {"meta": meta(), "dynamic_map": hex_f32(code_np), "dynamic_map_sha256": sha,
                              "cases": cases})


# ---------------------------------------------------------------------------------------------
# 3. NF4 / FP4 quantize_4bit / dequantize_4bit, plain and double-quantized
# ---------------------------------------------------------------------------------------------
def fourbit_fixture():
    rng = np.random.default_rng(4)
    cases = []

    def add(name, x, shape, quant_type, blocksize, compress, dtype=torch.float32, x_as_bf16=False, dq_limit=None):
        t = torch.from_numpy(np.asarray(x, dtype=np.float32).reshape(shape).copy()).to(dtype)
        if x_as_bf16:  # inputs rounded to bf16 (still quantized as fp32) so the fixture stores 16 bits each
            t = t.to(torch.bfloat16).to(torch.float32)
        q, st = F.quantize_4bit(t, blocksize=blocksize, compress_statistics=compress, quant_type=quant_type)
        dq = F.dequantize_4bit(q, st)
        # the spec: code[nibble] * absmax[i // blocksize] in fp32, then cast to the state's dtype
        n = t.numel()
        qb = q.reshape(-1).numpy()
        nib = np.empty(qb.size * 2, dtype=np.int64)
        nib[0::2] = qb >> 4
        nib[1::2] = qb & 15
        nib = nib[:n]
        if st.nested:
            absmax = F.dequantize_blockwise(st.absmax, st.state2) + st.offset
        else:
            absmax = st.absmax
        codev = F.get_4bit_type(quant_type, device="cpu")
        spec = (codev[torch.from_numpy(nib)] * absmax.float()[torch.arange(n) // blocksize]).to(dtype)
        bnb_matches_spec = bool(torch.equal(spec.view(torch.int16 if dtype != torch.float32 else torch.int32),
                                            dq.reshape(-1).view(torch.int16 if dtype != torch.float32 else torch.int32)))
        packed = st.as_dict(packed=True)
        qs_key = [k for k in packed if k.startswith("quant_state.")][0]
        case = {
            "name": name, "quant_type": quant_type, "blocksize": blocksize, "nested": bool(st.nested),
            "shape": list(shape), "dtype": str(dtype).replace("torch.", ""),
            **({"x_bf16": t_16(t.to(torch.bfloat16))} if x_as_bf16 else {"x": t_f32(t.float())}),
            "packed": hex_u8(q.numpy()),
            "packed_shape": list(q.shape),
            "quant_map": t_f32(st.code),
            "quant_state_key": qs_key,
            "quant_state_json": bytes(packed[qs_key].numpy().tolist()).decode("utf-8"),
            # dequantized values: the spec's (product in fp32, cast to dtype); bnb's own output when
            # it differs (bnb_matches_spec false) is stored too, so the disagreement is visible
            "dq_spec": (t_f32(spec.float()) if dtype == torch.float32 else t_16(spec))[: None if dq_limit is None else dq_limit * (8 if dtype == torch.float32 else 4)],
            "bnb_matches_spec": bnb_matches_spec,
        }
        if not bnb_matches_spec:
            case["dq_bnb"] = (t_f32(dq.reshape(-1)) if dtype == torch.float32 else t_16(dq.reshape(-1)))[: None if dq_limit is None else dq_limit * 8]
        if st.nested:
            case["absmax_u8"] = hex_u8(st.absmax.numpy())
            case["nested_absmax"] = t_f32(st.state2.absmax)
            case["nested_blocksize"] = st.state2.blocksize
            case["offset"] = hex_f32(np.array([st.offset.item()], dtype=np.float32))
            case["absmax_rebuilt"] = t_f32(absmax)
        else:
            case["absmax"] = t_f32(st.absmax)
        cases.append(case)

    # ragged: 7 x 50 = 350 elements -> 5 full blocks of 64 and a partial block of 30
    x1 = rng.standard_normal(350).astype(np.float32)
    # odd total length (5 x 13 = 65) -> padded nibble; the last block holds one element
    x2 = rng.standard_normal(65).astype(np.float32)
    # an all-zero block (row 1 of 4 x 64) and an outlier
    x3 = (rng.standard_normal(256) * 0.1).astype(np.float32)
    x3[64:128] = 0.0
    x3[200] = 25.0
    # ties: each block of 64 has absmax 1 and otherwise values exactly on the 4-bit midpoints
    def ties(quant_type):
        codev = F.get_4bit_type(quant_type, device="cpu")
        srt = torch.sort(codev).values
        mids = ((srt[:-1] + srt[1:]) / 2).numpy().astype(np.float32)
        blk = np.concatenate([mids, -mids, [1.0], np.float32(0.5) * mids, [0.0, 1e-4, -1e-4], mids * np.float32(0.999999), mids * np.float32(1.000001)]).astype(np.float32)
        blk = np.concatenate([blk, np.zeros(128 - blk.size, dtype=np.float32)])
        return blk
    # trailing partial block that is all zeros (length 10 after 2 full blocks of 32)
    x5 = np.concatenate([rng.standard_normal(64).astype(np.float32), np.zeros(10, dtype=np.float32)])
    # many blocks so double quantization spans two nested blocks (260 blocks of 32 -> 256 + 4)
    x6 = (rng.standard_normal(130 * 64) * 0.02).astype(np.float32)
    x6[5000] = 0.9
    # tiny subnormal-range values (absmax below 1e-38 is clamped in the reciprocal)
    x7 = (rng.standard_normal(64) * 1e-39).astype(np.float32)

    for qt in ("nf4", "fp4"):
        add(f"{qt}_7x50_bs64", x1, (7, 50), qt, 64, False)
        add(f"{qt}_7x50_bs64_dq", x1, (7, 50), qt, 64, True)
        add(f"{qt}_5x13_bs32", x2, (5, 13), qt, 32, False)
        add(f"{qt}_65_bs64_dq", x2, (65,), qt, 64, True)
        add(f"{qt}_4x64_zero_outlier_bs64", x3, (4, 64), qt, 64, False)
        add(f"{qt}_4x64_zero_outlier_bs128_dq", x3, (4, 64), qt, 128, True)
        add(f"{qt}_ties_bs128", ties(qt), (128,), qt, 128, False)
        add(f"{qt}_74_zero_tail_bs32", x5, (74,), qt, 32, False)
        add(f"{qt}_130x64_bs32_dq", x6, (130, 64), qt, 32, True, x_as_bf16=True, dq_limit=1024)
        add(f"{qt}_subnormal_bs64", x7, (64,), qt, 64, False)
    add("nf4_350_bs4096", x1, (350,), "nf4", 4096, False)
    add("fp4_350_bs256_dq", x1, (350,), "fp4", 256, True)
    add("nf4_20x96_bs2048_dq", (rng.standard_normal(1920) * 0.05).astype(np.float32), (20, 96), "nf4", 2048, True)
    add("nf4_6x64_bs512", rng.standard_normal(384).astype(np.float32), (6, 64), "nf4", 512, False)
    add("nf4_6x64_bs1024_dq", rng.standard_normal(384).astype(np.float32), (6, 64), "nf4", 1024, True)
    # 16-bit inputs: quantized from the bf16 / fp16 values, dequantized back to that dtype
    add("nf4_7x50_bs64_dq_bf16", x1, (7, 50), "nf4", 64, True, torch.bfloat16)
    add("fp4_4x64_bs64_fp16", x3, (4, 64), "fp4", 64, False, torch.float16)
    write("fourbit.json", {"meta": meta(), "cases": cases})


# ---------------------------------------------------------------------------------------------
# 4. absmax int8: LLM.int8 row-wise (bnb int8_vectorwise_quant) and tensor/blockwise via torch
# ---------------------------------------------------------------------------------------------
def int8_fixture():
    rng = np.random.default_rng(127)
    A = (rng.standard_normal((6, 40)) * 2).astype(np.float32)
    A[2, 7] = -9.5  # outlier row
    A[4, 0:40] = np.linspace(-1, 1, 40).astype(np.float32) * np.float32(127 / 127)
    # ties after scaling: row 5 holds k + 0.5 multiples of absmax/127
    A[5, :] = (np.arange(40, dtype=np.float32) - 20 + 0.5) / np.float32(127) * np.float32(2.0)
    A[5, 0] = 2.0
    t = torch.from_numpy(A.copy())
    CB, stats, _ = F.int8_vectorwise_quant(t.clone())
    deq = F.int8_vectorwise_dequant(CB, stats)
    # tensor-wise and blockwise with the same formula as bnb: round(x * (127 / absmax)) (half-even)
    x = torch.from_numpy(np.concatenate([A.reshape(-1), (rng.standard_normal(77) * 0.3).astype(np.float32)]))
    tw_absmax = x.abs().max()
    tw_q = torch.round(x * (127.0 / tw_absmax)).to(torch.int8)
    tw_dq = tw_q.float() * tw_absmax * 7.874015718698502e-3
    bs = 64
    n = x.numel()
    nb = (n + bs - 1) // bs
    pad = torch.nn.functional.pad(x, (0, nb * bs - n))
    bam = pad.view(nb, bs).abs().max(dim=1).values
    bq = torch.round(pad.view(nb, bs) * (127.0 / bam.view(-1, 1))).to(torch.int8).reshape(-1)[:n]
    bdq = (bq.float().view(-1) * torch.repeat_interleave(bam, bs)[:n] * 7.874015718698502e-3)
    write("int8.json", {
        "meta": meta(),
        "rowwise": {"rows": 6, "cols": 40, "x": t_f32(t), "q": hex_u8(CB.view(torch.uint8).numpy()),
                    "row_stats": t_f32(stats), "dq": t_f32(deq)},
        "tensorwise": {"n": n, "x": t_f32(x), "q": hex_u8(tw_q.view(torch.uint8).numpy()),
                       "absmax": t_f32(tw_absmax.reshape(1)), "dq": t_f32(tw_dq)},
        "blockwise": {"n": n, "blocksize": bs, "x": t_f32(x), "q": hex_u8(bq.view(torch.uint8).numpy()),
                      "absmax": t_f32(bam), "dq": t_f32(bdq)},
    })


# ---------------------------------------------------------------------------------------------
# 5. torch.mean of fp32 vectors (the double-quantization offset) and Python float repr
# ---------------------------------------------------------------------------------------------
def mean_fixture():
    rng = np.random.default_rng(5)
    cases = []
    for n in (1, 7, 15, 16, 33, 64, 100, 255, 256, 300, 1000, 4097, 5184, 13824, 30000):
        # x[i] = Float(Double((i * 2654435761) % 1000003) / 1000003.0 * scale): the Swift test rebuilds it
        scale = float(np.float32(rng.random() * 3))
        x = np.array([((i * 2654435761) % 1000003) / 1000003.0 * scale for i in range(n)]).astype(np.float32)
        cases.append({"n": n, "scale": scale.hex(), "mean": hex_f32(np.array([torch.from_numpy(x).mean().item()],
                                                                          dtype=np.float32))})
    reprs = []
    vals = [0.0, 1.0, 0.1, 1e-05, 0.0001, 0.00012345, 1e16, 1.5e16, 123456789.0, 1e-40, 3.4028234663852886e38,
            0.012345678, 2.5, 100.0, 1e15, 9999999999999998.0, 5e-324, 0.3]
    f32s = np.concatenate([np.array(vals[:-3], dtype=np.float32), (rng.standard_normal(40) * 10.0 ** rng.integers(-12, 12, 40)).astype(np.float32)])
    for v in f32s:
        d = float(v)
        reprs.append({"f32": hex_f32(np.array([v], dtype=np.float32)), "repr": repr(d), "json": json.dumps(d)})
    for d in vals[-3:]:
        reprs.append({"f64": d.hex(), "repr": repr(d), "json": json.dumps(d)})
    write("mean_repr.json", {"meta": meta(), "means": cases, "reprs": reprs})


if __name__ == "__main__":
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    half_fixture()
    blockwise8_fixture()
    fourbit_fixture()
    int8_fixture()
    mean_fixture()
    sys.exit(0)
