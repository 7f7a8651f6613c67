#!/usr/bin/env python3
"""The national-scale service benchmark of BENCHMARKS.md ("Service at national scale").

Serves a store with the release binary and measures, as a page and a regulator would meet them:
- start: seconds from `qmap serve` to the first answer (GET /api/v1/chains), and resident memory;
- the chain list (GET /api/v1/chains) right after start, then again;
- single-record writes (PUT /api/v1/problems/{id}, one title changed each time) while a reader
  thread keeps asking for another chain's map: latency p50/p99/max of the acknowledgements,
  resident memory before, halfway and after;
- the touched chain's analysis after the last write (how long a reader waits for it);
- with --comparison N: the dataset scope (GET /api/v1/comparison) cold, then after each of N
  writes that change one problem's severity: the first answer's time, whether it was an
  earlier revision's (`as_of_revision`), and the time from the write until it is current.

Usage (the store must exist, e.g. `qmap import /tmp/national.json --data /tmp/natstore`):

    python3 benches/national_service.py --data /tmp/natstore --writes 1000

Standard library only. Prints one JSON object.
"""

import argparse
import json
import os
import subprocess
import threading
import time
import urllib.request

QMAP = os.path.join(os.path.dirname(__file__), "..", "target", "release", "qmap")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(url, token, method="GET", body=None, timeout=600):
    req = urllib.request.Request(url, method=method, data=body)
    req.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        data = r.read()
        status = r.status
    return status, data, time.perf_counter() - started


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--writes", type=int, default=1000)
    ap.add_argument("--port", type=int, default=18411)
    ap.add_argument("--comparison", type=int, default=0,
                    help="then N rounds of: change the problem's severity, GET /comparison")
    ap.add_argument("--timeout-secs", type=int, help="passed to `qmap serve` (requests' timeout)")
    ap.add_argument("--qmap", default=QMAP, help="the binary (default: this tree's release build)")
    args = ap.parse_args()

    token = subprocess.run(
        [args.qmap, "token", "create", "--role", "admin", "--data", args.data],
        check=True, capture_output=True, text=True,
    ).stdout.split()[-1]
    base = f"http://127.0.0.1:{args.port}/api/v1"
    started = time.perf_counter()
    server = subprocess.Popen(
        [args.qmap, "serve", "--data", args.data, "--addr", f"127.0.0.1:{args.port}",
         "--failed-logins-per-minute", "1000000"]
        + (["--timeout-secs", str(args.timeout_secs)] if args.timeout_secs else []),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    out = {}
    try:
        while True:
            try:
                status, body, took = request(f"{base}/chains", token)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server stopped")
                time.sleep(0.05)
        out["first_answer_s"] = time.perf_counter() - started
        out["first_chains_s"] = took
        out["rss_after_start_mib"] = rss_kib(server.pid) / 1024
        chains = [c["id"] for c in json.loads(body)]
        _, _, took = request(f"{base}/chains", token)
        out["chains_again_s"] = took

        # A problem of the first chain, to change again and again.
        _, body, _ = request(f"{base}/chains/{chains[0]}/problems?per_page=1", token)
        listed = json.loads(body)
        items = listed["problems"]
        problem_id = items[0]["id"]
        _, body, _ = request(f"{base}/problems/{problem_id}", token)
        problem = json.loads(body)
        problem = problem.get("problem", problem)

        stop = threading.Event()
        reads = []
        failures = []

        # The reader asks for the map of one chain that no write touches, so that what memory
        # does over the writes is the writes' doing, not a cache filling with other chains.
        def reader():
            i = 0
            while not stop.is_set():
                chain = chains[1]
                try:
                    _, _, took = request(f"{base}/chains/{chain}/map", token)
                    reads.append(took)
                except OSError as e:
                    failures.append(repr(e))
                    if server.poll() is not None:
                        return
                    time.sleep(0.1)
                i += 1

        thread = threading.Thread(target=reader)
        thread.start()
        # The reader's chain is analysed before the writes start.
        while not reads:
            if server.poll() is not None or len(failures) > 100:
                raise SystemExit(f"the reader fails: {failures[-1:]}")
            time.sleep(0.1)
        out["rss_before_writes_mib"] = rss_kib(server.pid) / 1024
        latencies = []
        for i in range(args.writes):
            problem["title"] = f"基准写入 {i}"
            status, _, took = request(
                f"{base}/problems/{problem_id}", token, "PUT",
                json.dumps(problem, ensure_ascii=False).encode(),
            )
            assert status == 200, status
            latencies.append(took)
            if i == args.writes // 2:
                out["rss_mid_writes_mib"] = rss_kib(server.pid) / 1024
        out["rss_after_writes_mib"] = rss_kib(server.pid) / 1024
        stop.set()
        thread.join()
        out["writes"] = len(latencies)
        out["write_p50_ms"] = percentile(latencies, 50) * 1000
        out["write_p99_ms"] = percentile(latencies, 99) * 1000
        out["write_max_ms"] = max(latencies) * 1000
        out["reads_during_writes"] = len(reads)
        out["failed_reads"] = len(failures)
        if reads:
            out["read_p99_ms"] = percentile(reads, 99) * 1000
        _, _, took = request(f"{base}/chains/{chains[0]}/weak-links", token)
        out["touched_chain_analysis_s"] = took
        out["rss_end_mib"] = rss_kib(server.pid) / 1024
        if args.comparison:
            # The dataset scope (capacities shared by every chain): once cold, then after each
            # write of one problem's severity (only that problem's codes change).
            # Cold: a serving process answers 202 `computing` after its scope wait while the
            # figures are computed for the first time; asked again every quarter second until 200.
            asked = time.perf_counter()
            status, _, took = request(f"{base}/comparison", token)
            out["comparison_cold_first_answer_s"] = took
            out["comparison_cold_first_status"] = status
            while status == 202:
                time.sleep(0.25)
                status, _, took = request(f"{base}/comparison", token)
            out["comparison_cold_current_s"] = time.perf_counter() - asked
            # The first answer after a write may be the previous revision's (`as_of_revision`,
            # while the new scope is computed in the background); then asked again every
            # quarter second, as a page would (it asks every 2 s), until it is current.
            after_write, marked, current_after = [], [], []
            for i in range(args.comparison):
                problem["severity"] = 1 + (problem["severity"] % 5)
                request(f"{base}/problems/{problem_id}", token, "PUT",
                        json.dumps(problem, ensure_ascii=False).encode())
                written = time.perf_counter()
                _, body, took = request(f"{base}/comparison", token)
                after_write.append(took)
                marked.append("as_of_revision" in json.loads(body))
                while "as_of_revision" in json.loads(body):
                    time.sleep(0.25)
                    _, body, _ = request(f"{base}/comparison", token)
                current_after.append(time.perf_counter() - written)
            out["comparison_after_a_write_s"] = after_write
            out["comparison_after_a_write_marked"] = marked
            out["comparison_current_after_a_write_s"] = current_after
        # Lets the background store the chain list's figures for the next start.
        time.sleep(5)
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
