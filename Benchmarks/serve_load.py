#!/usr/bin/env python3
"""Load generator for `frugal serve` (or any OpenAI-compatible server): tokens/s and latency
percentiles with 1, 4 and 8 concurrent streaming clients, on loopback only.

Standard library only (http.client, threads). Each of C clients sends streaming chat requests one
after another (`stream: true`, `stream_options.include_usage`, greedy, fixed max_tokens, a distinct
short question each) until it has sent --requests requests or --seconds have passed — bounded in
count and in time. Per request it records the time to the first content chunk (TTFT), the whole
latency and the completion tokens (from the usage chunk; else the content chunks). Per level it
prints aggregate decode throughput (completion tokens / wall time of the level), and p50/p90/max of
TTFT and latency.

Run against a server you started:
  frugal serve default --port 8090 &
  python3 Benchmarks/serve_load.py --url http://127.0.0.1:8090 [--model default] [--levels 1,4,8]
--json prints one JSON object per level as well.
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse

QUESTIONS = ["What is the capital of France?", "Name three colors.", "Why is the sky blue?", "What is 2 + 2?",
             "Give me a word that rhymes with cat.", "What do bees make?", "Name a planet.", "What is water made of?"]


def one_request(url, model, question, max_tokens, timeout):
    u = urllib.parse.urlparse(url)
    assert u.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    body = {"messages": [{"role": "user", "content": question}], "stream": True, "temperature": 0,
            "max_tokens": max_tokens, "stream_options": {"include_usage": True}}
    if model:
        body["model"] = model
    t0 = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body=json.dumps(body), headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {resp.read()[:200]!r}")
    ttft, chunks, usage = None, 0, None
    while True:
        line = resp.readline()
        if not line:
            break
        line = line.strip()
        if not line.startswith(b"data: "):
            continue
        data = line[6:]
        if data == b"[DONE]":
            break
        obj = json.loads(data)
        if obj.get("usage"):
            usage = obj["usage"]["completion_tokens"]
        for ch in obj.get("choices", []):
            if ch.get("delta", {}).get("content"):
                chunks += 1
                if ttft is None:
                    ttft = time.perf_counter() - t0
    conn.close()
    return {"ttft": ttft if ttft is not None else time.perf_counter() - t0, "latency": time.perf_counter() - t0,
            "tokens": usage if usage is not None else chunks}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def run_level(args, clients):
    results, errors, lock = [], [], threading.Lock()
    deadline = time.perf_counter() + args.seconds

    def worker(k):
        for i in range(args.requests):
            if time.perf_counter() > deadline:
                return
            try:
                r = one_request(args.url, args.model, QUESTIONS[(k + i) % len(QUESTIONS)], args.max_tokens, args.timeout)
                with lock:
                    results.append(r)
            except Exception as e:  # noqa: BLE001 — report and stop this client
                with lock:
                    errors.append(str(e))
                return

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    tokens = sum(r["tokens"] for r in results)
    return {"clients": clients, "requests": len(results), "errors": len(errors), "wall_s": round(wall, 2),
            "tokens": tokens, "tokens_per_s": round(tokens / wall, 1) if wall > 0 else 0,
            "ttft_p50_s": round(pct([r["ttft"] for r in results], 50), 3),
            "ttft_p90_s": round(pct([r["ttft"] for r in results], 90), 3),
            "latency_p50_s": round(pct([r["latency"] for r in results], 50), 3),
            "latency_p90_s": round(pct([r["latency"] for r in results], 90), 3),
            "latency_max_s": round(max((r["latency"] for r in results), default=float("nan")), 3),
            "first_error": errors[0] if errors else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--model", default=None)
    ap.add_argument("--levels", default="1,4,8")
    ap.add_argument("--requests", type=int, default=4, help="requests per client per level (upper bound)")
    ap.add_argument("--seconds", type=float, default=120, help="no new request after this many seconds per level")
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    print(f"{'clients':>7} {'reqs':>5} {'err':>4} {'wall s':>7} {'tokens':>7} {'tok/s':>7} "
          f"{'TTFT p50':>9} {'TTFT p90':>9} {'lat p50':>8} {'lat p90':>8} {'lat max':>8}")
    for c in (int(x) for x in args.levels.split(",")):
        r = run_level(args, c)
        print(f"{r['clients']:>7} {r['requests']:>5} {r['errors']:>4} {r['wall_s']:>7} {r['tokens']:>7} {r['tokens_per_s']:>7} "
              f"{r['ttft_p50_s']:>9} {r['ttft_p90_s']:>9} {r['latency_p50_s']:>8} {r['latency_p90_s']:>8} {r['latency_max_s']:>8}")
        if r["first_error"]:
            print("  first error:", r["first_error"])
        if args.json:
            print(json.dumps(r))


if __name__ == "__main__":
    main()
