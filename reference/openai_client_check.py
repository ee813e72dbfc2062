#!/usr/bin/env python3
"""The official `openai` client against `frugal serve` (issue 20, item 5).

Pinned: openai==3.51.0 (reference/requirements.txt), numpy and safetensors (already pinned there)
to write two small LoRA adapters, gguf (gguf-py) to read the model's shapes.
`reference/.venv/bin/pip install openai==3.51.0`

What it does: writes two PEFT LoRA adapters (q_proj and v_proj of every layer, rank 8, A and B
drawn from fixed seeds so that they change the output) for the model, starts
`frugal serve MODEL --adapter alpha=… --adapter beta=… --api-key KEY` on a free loopback port, and
checks through the openai client:
  - models.list() names the base, alpha and beta;
  - chat completions, greedy, for each model (the adapters answer differently from the base);
  - streaming chat equals the non-streamed reply with the same seed; usage with include_usage;
  - completions, streamed and not;
  - 4 concurrent requests (threads) equal the same requests sent one after another;
  - errors: malformed JSON (raw HTTP, urllib) → 400, temperature 5 → BadRequestError (400), an unknown
    model → NotFoundError (404), a prompt longer than the context → 413, a wrong key →
    AuthenticationError (401);
  - the server still answers /health afterwards, and SIGINT stops it with exit status 0.
Prints one line per check and 'N passed, M failed'; exits non-zero on a failure.

Run:  reference/.venv/bin/python reference/openai_client_check.py [--frugal .build_serve/release/frugal] [--model default] [--load-in-4bit]
"""
import argparse
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import urllib.error
import urllib.request
import numpy as np
import openai
from openai import OpenAI
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "frugal-check-key"


def model_path(name):
    if os.path.exists(name):
        return name
    home = os.environ.get("FRUGAL_HOME", os.path.expanduser("~/.cache/frugal"))
    if name == "default":
        return os.path.join(home, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
    raise SystemExit(f"cannot find the GGUF of {name!r}: pass a path")


def shapes(gguf_path):
    """(layers, hidden, q rows, kv rows) from the GGUF header."""
    from gguf import GGUFReader
    r = GGUFReader(gguf_path)
    arch = bytes(r.fields["general.architecture"].parts[-1]).decode()
    def val(key):
        f = r.fields[f"{arch}.{key}"]
        return int(f.parts[f.data[0]][0])
    layers, hidden = val("block_count"), val("embedding_length")
    heads, kv = val("attention.head_count"), val("attention.head_count_kv")
    head_dim = hidden // heads
    return layers, hidden, heads * head_dim, kv * head_dim


def write_adapter(directory, seed, layers, hidden, q_rows, kv_rows, rank=8):
    rng = np.random.default_rng(seed)
    tensors = {}
    for i in range(layers):
        for proj, rows in (("q_proj", q_rows), ("v_proj", kv_rows)):
            name = f"base_model.model.model.layers.{i}.self_attn.{proj}"
            tensors[f"{name}.lora_A.weight"] = (rng.standard_normal((rank, hidden)) / np.sqrt(hidden)).astype(np.float32)
            tensors[f"{name}.lora_B.weight"] = (rng.standard_normal((rows, rank)) * 0.5).astype(np.float32)
    os.makedirs(directory, exist_ok=True)
    save_file(tensors, os.path.join(directory, "adapter_model.safetensors"), metadata={"format": "pt"})
    config = {"peft_type": "LORA", "r": rank, "lora_alpha": 16, "lora_dropout": 0.0, "bias": "none",
              "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM", "base_model_name_or_path": None}
    with open(os.path.join(directory, "adapter_config.json"), "w") as f:
        json.dump(config, f)


def http(method, url, body=None, headers=None):
    """(status, parsed JSON or text) with the standard library (raw bytes the client would not send)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode(errors="replace")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name} {detail}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frugal", default=os.path.join(ROOT, ".build_serve/release/frugal"))
    ap.add_argument("--model", default="default")
    ap.add_argument("--load-in-4bit", action="store_true", help="serve the base in NF4 (adapters stay Float32 branches)")
    args = ap.parse_args()

    gguf_path = model_path(args.model)
    layers, hidden, q_rows, kv_rows = shapes(gguf_path)
    tmp = tempfile.mkdtemp(prefix="frugal-openai-check-")
    for name, seed in (("alpha", 1), ("beta", 2)):
        write_adapter(os.path.join(tmp, name), seed, layers, hidden, q_rows, kv_rows)

    port = free_port()
    cmd = [args.frugal, "serve", args.model, "--port", str(port), "--api-key", KEY,
           "--adapter", f"alpha={tmp}/alpha", "--adapter", f"beta={tmp}/beta"] + (["--load-in-4bit"] if args.load_in_4bit else [])
    print("$", " ".join(cmd))
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if http("GET", base + "/health")[0] == 200:
                break
        except OSError:
            pass
        if server.poll() is not None:
            print(server.stdout.read())
            raise SystemExit("frugal serve exited early")
        time.sleep(0.1)

    c = Checks()
    client = OpenAI(base_url=base + "/v1", api_key=KEY, max_retries=0, timeout=300)
    base_id = os.path.basename(args.model).removesuffix(".gguf")
    try:
        ids = [m.id for m in client.models.list().data]
        c.check("models.list: base + two adapters", ids == [base_id, "alpha", "beta"], ids)

        msgs = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
        replies = {}
        for m in ids:
            r = client.chat.completions.create(model=m, messages=msgs, temperature=0, max_tokens=24)
            replies[m] = r.choices[0].message.content
            c.check(f"chat ({m}): {replies[m]!r}",
                    r.object == "chat.completion" and r.model == m and bool(replies[m])
                    and r.usage.completion_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens)
        c.check("adapters answer differently from the base and each other",
                len({replies[m] for m in ids}) == 3, replies)

        kw = dict(model="alpha", messages=msgs, temperature=0.8, seed=11, max_tokens=20)
        whole = client.chat.completions.create(**kw).choices[0].message.content
        chunks = list(client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw))
        streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
        c.check(f"streaming chat ({len(chunks)} chunks) equals the non-streamed reply", streamed == whole, (streamed, whole))
        c.check("streamed usage (include_usage)", chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0)

        p = client.completions.create(model=base_id, prompt="Once upon a time", max_tokens=16, temperature=0)
        ps = "".join(ch.choices[0].text for ch in client.completions.create(
            model=base_id, prompt="Once upon a time", max_tokens=16, temperature=0, stream=True))
        c.check(f"completions, streamed and not: {p.choices[0].text!r}", p.choices[0].text == ps and bool(ps))

        jobs = [dict(model=m, messages=[{"role": "user", "content": f"Name a color. ({i})"}], temperature=0.9, seed=100 + i,
                     max_tokens=12) for i, m in enumerate(["alpha", base_id, "beta", "alpha"])]
        sequential = [client.chat.completions.create(**j).choices[0].message.content for j in jobs]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            parallel = list(pool.map(lambda j: client.chat.completions.create(**j).choices[0].message.content, jobs))
        c.check("4 concurrent requests equal the sequential ones", parallel == sequential, (parallel, sequential))

        status, body = http("POST", base + "/v1/chat/completions", b'{"messages": [',
                            {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
        err = body.get("error", {}) if isinstance(body, dict) else {}
        c.check(f"malformed JSON → {status} {err.get('message')!r}", status == 400 and set(err) == {"message", "type", "param", "code"})
        try:
            client.chat.completions.create(model=base_id, messages=msgs, temperature=5)
            c.check("temperature 5 → BadRequestError", False)
        except openai.BadRequestError as e:
            c.check(f"temperature 5 → BadRequestError (param {e.param})", e.status_code == 400 and e.param == "temperature")
        try:
            client.chat.completions.create(model="gpt-4o", messages=msgs)
            c.check("unknown model → NotFoundError", False)
        except openai.NotFoundError as e:
            c.check(f"unknown model → NotFoundError ({e.code})", e.status_code == 404 and e.code == "model_not_found")
        try:
            client.chat.completions.create(model=base_id, messages=[{"role": "user", "content": "word " * 20000}])
            c.check("prompt longer than the context → 413", False)
        except openai.APIStatusError as e:
            c.check(f"prompt longer than the context → {e.status_code} ({e.code})", e.status_code == 413)
        try:
            OpenAI(base_url=base + "/v1", api_key="wrong", max_retries=0).models.list()
            c.check("wrong API key → AuthenticationError", False)
        except openai.AuthenticationError as e:
            c.check("wrong API key → AuthenticationError (401)", e.status_code == 401)

        c.check("still up: /health", http("GET", base + "/health")[0] == 200)
        again = client.chat.completions.create(model="alpha", messages=msgs, temperature=0, max_tokens=24)
        c.check("still answering, same greedy reply", again.choices[0].message.content == replies["alpha"])
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
        log = server.stdout.read()
    c.check(f"SIGINT: graceful shutdown, exit status {code}", code == 0, log[-2000:])
    print(f"{c.passed} passed, {c.failed} failed")
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
