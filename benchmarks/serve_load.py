"""`dolmetsch serve` under load: many connections, many requests, a slow client. Loopback only.

    .venv/bin/python benchmarks/serve_load.py                      # all three parts
    .venv/bin/python benchmarks/serve_load.py --parts burst,slow --json out.json

The server is started here (`dolmetsch serve` with the tiny model and the repository's glossary,
its default limits) on a free loopback port and stopped at the end. Its resident memory is read
from /proc/<pid>/status (VmRSS). The clients are asyncio streams speaking HTTP/1.1 by hand, so
that 1,000 of them fit in one process. Every part is bounded in count and in time:

1. **burst**: `--connections` (1,000) connections opened at once, each sending `--per-connection`
   (2) JSON `POST /translate` requests with a unique short German sentence, one after the other on
   its keep-alive connection. Allowed answers: 200, and 503 (the queue is full; with Retry-After)
   or 429; anything else, a reset or a timeout is an error. RSS is read before (after a warm-up),
   at its peak while the burst runs, and after the server is idle again (`--settle` seconds).
   `--bursts` (2) bursts run one after the other, each with new sentences: the first also pays
   for one-time growth (the decoder's allocator cache at a larger batch, the sentence cache
   filling), the second shows whether each load leaves memory behind.
   Target: no error but 503/429; RSS back to its level before the burst (within 10 %).
2. **many**: `--requests` (100,000) short requests over `--clients` (32) keep-alive connections,
   from a pool of 200 short sentences (so, after the first of each, the process's sentence cache
   answers: this measures the request path, not the decoder). RSS is sampled every 1,000 requests.
   Target: RSS flat within 10 % (the largest sample after the first tenth against the sample at the
   first tenth).
3. **slow**: one client sends a translate request one byte a second for `--slow-seconds` (20)
   while another sends ordinary requests one after the other. Target: the ordinary requests are
   answered as quickly as with no slow client (the slow client holds no worker); also with
   `--slow-clients` (50) slow clients at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
GLOSSARY = ROOT / "glossary"
START_TIMEOUT_S = 180
ALLOWED = {200, 429, 503}
SUBJECTS = ["Kim", "Putin", "Der Präsident", "Die Delegation", "Der Minister", "Nordkorea", "Russland", "Der Gast"]
VERBS = ["reiste nach", "sprach in", "besuchte", "lobte die Arbeit in", "kam an in"]
PLACES = ["Wostotschny", "Moskau", "Pjöngjang", "Wladiwostok", "Russland"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sentence(number: int) -> str:
    """A short German sentence; different numbers give different sentences."""
    return f"{SUBJECTS[number % 8]} {VERBS[number // 8 % 5]} {PLACES[number // 40 % 5]} ({number})."


def pooled(number: int) -> str:
    """One of 200 short sentences, so that repeats hit the server's sentence cache."""
    return f"{SUBJECTS[number % 8]} {VERBS[number // 8 % 5]} {PLACES[number // 40 % 5]}."


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, scratch: Path, extra: list[str]):
        self.port = free_port()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "translate"), env.get("PYTHONPATH", "")) if p)
        command = [sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--model", str(TINY), "--glossary", str(GLOSSARY), *extra]
        self.log_path = scratch / "serve.log"
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"dolmetsch serve exited with {self.process.returncode}:\n{self.tail()}")
            try:
                status, _ = asyncio.run(one_request(self.port, "GET", "/health", None, 2))
                if status == 200:
                    return
            except (OSError, asyncio.TimeoutError, ValueError):
                pass
            time.sleep(0.25)
        raise SystemExit(f"dolmetsch serve did not answer /health within {START_TIMEOUT_S} s:\n{self.tail()}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def tail(self, lines: int = 20) -> str:
        self.log_file.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


# --- HTTP/1.1 by hand ----------------------------------------------------------------------------


def request_bytes(port: int, method: str, path: str, body: dict | None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    return head.encode() + b"\r\n" + data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one response (Content-Length framing, as the server uses)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def one_request(port: int, method: str, path: str, body: dict | None, timeout: float) -> tuple[int, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(request_bytes(port, method, path, body))
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()


def translate_body(text: str) -> dict:
    return {"q": text, "source": "de", "target": "en", "format": "text"}


# --- 1. burst --------------------------------------------------------------------------------------


async def burst(server: Server, connections: int, per_connection: int, timeout: float, settle: float, round_: int) -> dict:
    statuses: dict[str, int] = {}
    peak = [server.rss_mb()]
    opened = [0]

    async def connection(index: int) -> None:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            statuses[f"connect {type(exc).__name__}"] = statuses.get(f"connect {type(exc).__name__}", 0) + per_connection
            return
        opened[0] += 1
        try:
            for k in range(per_connection):
                number = (round_ * connections + index) * per_connection + k
                writer.write(request_bytes(server.port, "POST", "/translate", translate_body(sentence(number))))
                await writer.drain()
                status, _ = await asyncio.wait_for(read_response(reader), timeout)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
        finally:
            writer.close()

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], server.rss_mb())
            await asyncio.sleep(0.2)

    before = server.rss_mb()
    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    await asyncio.gather(*(connection(i) for i in range(connections)))
    wall = time.perf_counter() - started
    sampler.cancel()
    await asyncio.sleep(settle)
    after = server.rss_mb()
    errors = sum(n for s, n in statuses.items() if not (s.isdigit() and int(s) in ALLOWED))
    return {
        "connections": connections, "opened": opened[0], "requests": connections * per_connection, "statuses": statuses,
        "errors": errors, "wall_s": wall, "rss_before_mb": before, "rss_peak_mb": peak[0], "rss_after_mb": after,
        "rss_after_ratio": after / before, "serving_after": server.alive(),
        "target_met": errors == 0 and after <= 1.10 * before and server.alive(),
    }


# --- 2. many -----------------------------------------------------------------------------------------


async def many(server: Server, requests: int, clients: int, timeout: float, deadline_s: float) -> dict:
    counter = [0]
    statuses: dict[str, int] = {}
    samples: list[tuple[int, float]] = []
    deadline = time.monotonic() + deadline_s

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            while counter[0] < requests and time.monotonic() < deadline:
                number = counter[0]
                counter[0] += 1
                if number % 1000 == 0:
                    samples.append((number, server.rss_mb()))
                writer.write(request_bytes(server.port, "POST", "/translate", translate_body(pooled(number))))
                await writer.drain()
                status, _ = await asyncio.wait_for(read_response(reader), timeout)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 503 or status == 429:
                    await asyncio.sleep(0.05)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - started
    samples.append((counter[0], server.rss_mb()))
    tenth = [rss for n, rss in samples if n >= requests // 10]
    reference = tenth[0] if tenth else samples[0][1]
    largest = max(tenth) if tenth else reference
    done = sum(statuses.values())
    errors = sum(n for s, n in statuses.items() if not (s.isdigit() and int(s) in ALLOWED))
    return {
        "requests": done, "statuses": statuses, "errors": errors, "wall_s": wall, "requests_per_s": done / wall,
        "rss_first_mb": samples[0][1], "rss_at_tenth_mb": reference, "rss_max_after_tenth_mb": largest,
        "rss_end_mb": samples[-1][1], "growth_after_tenth": largest / reference - 1,
        "target_met": errors == 0 and largest <= 1.10 * reference and done >= requests,
    }


# --- 3. slow ----------------------------------------------------------------------------------------


async def ordinary_latencies(server: Server, seconds: float, timeout: float, first: int) -> list[float]:
    """Ordinary requests, one after another on fresh connections, for `seconds`."""
    latencies = []
    end = time.monotonic() + seconds
    number = first
    while time.monotonic() < end:
        started = time.perf_counter()
        status, _ = await one_request(server.port, "POST", "/translate", translate_body(sentence(number)), timeout)
        number += 1
        if status == 200:
            latencies.append(time.perf_counter() - started)
    return latencies


async def slow(server: Server, seconds: float, slow_clients: int, timeout: float) -> dict:
    baseline = await ordinary_latencies(server, min(5.0, seconds), timeout, 500_000)
    results = {}
    for count in (1, slow_clients):
        request = request_bytes(server.port, "POST", "/translate", translate_body("Kim reiste langsam nach Wostotschny."))
        sent = [0] * count

        async def trickle(index: int) -> None:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            except OSError:
                return
            try:
                end = time.monotonic() + seconds
                for byte in request:
                    if time.monotonic() >= end:
                        break
                    writer.write(bytes([byte]))
                    await writer.drain()
                    sent[index] += 1
                    await asyncio.sleep(1.0)
            except OSError:
                pass  # the server closed it: fine, it held nothing
            finally:
                writer.close()

        trickling = asyncio.gather(*(trickle(i) for i in range(count)))
        await asyncio.sleep(1.5)
        during = await ordinary_latencies(server, seconds - 3, timeout, 600_000 + count * 10_000)
        await trickling
        results[count] = {
            "slow_clients": count, "bytes_sent_each": max(sent) if sent else 0, "ordinary_requests": len(during),
            "ordinary_p50_ms": statistics.median(during) * 1000 if during else float("nan"),
        }
    base_p50 = statistics.median(baseline) * 1000 if baseline else float("nan")
    worst = max(r["ordinary_p50_ms"] for r in results.values())
    return {
        "baseline_requests": len(baseline), "baseline_p50_ms": base_p50, "with_slow": list(results.values()),
        "serving_after": server.alive(),
        "target_met": all(r["ordinary_requests"] > 0 for r in results.values()) and worst <= 3 * base_p50 + 50,
    }


# --- the run -------------------------------------------------------------------------------------------


def raise_file_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, wanted)) if hard != resource.RLIM_INFINITY else max(soft, wanted)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def report(results: dict) -> str:
    lines = ["| part | figures | target | met |", "|---|---|---|---|"]
    for number, r in enumerate(results.get("burst", []), 1):
        lines.append(f"| burst {number}: {r['connections']:,} connections × {r['requests'] // r['connections']} requests | answers {r['statuses']}, "
                     f"{r['wall_s']:.1f} s; RSS {r['rss_before_mb']:.0f} → peak {r['rss_peak_mb']:.0f} → {r['rss_after_mb']:.0f} MB after "
                     f"({r['rss_after_ratio']:.2f}×) | only 503/429 as errors; RSS back (≤ 1.10×) | {'yes' if r['target_met'] else 'NO'} |")
    if "many" in results:
        r = results["many"]
        lines.append(f"| {r['requests']:,} short requests | answers {r['statuses']}, {r['wall_s']:.0f} s ({r['requests_per_s']:.0f}/s); "
                     f"RSS {r['rss_first_mb']:.0f} MB at start, {r['rss_at_tenth_mb']:.0f} at 1/10, max {r['rss_max_after_tenth_mb']:.0f} after, "
                     f"{r['rss_end_mb']:.0f} at the end ({r['growth_after_tenth']:+.1%}) | RSS flat within 10 % | {'yes' if r['target_met'] else 'NO'} |")
    if "slow" in results:
        r = results["slow"]
        parts = "; ".join(f"{s['slow_clients']} slow: {s['ordinary_requests']} answered, p50 {s['ordinary_p50_ms']:.0f} ms"
                          for s in r["with_slow"])
        lines.append(f"| slow client, 1 byte/s | without: p50 {r['baseline_p50_ms']:.0f} ms; {parts} | ordinary requests still answered, "
                     f"p50 ≤ 3× + 50 ms | {'yes' if r['target_met'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="burst,many,slow")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--per-connection", type=int, default=2)
    parser.add_argument("--bursts", type=int, default=2, help="bursts one after the other, each with new sentences (default 2)")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--slow-seconds", type=float, default=20)
    parser.add_argument("--slow-clients", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=120, help="seconds one request may take")
    parser.add_argument("--settle", type=float, default=5, help="seconds idle before RSS is read after the burst")
    parser.add_argument("--deadline", type=float, default=900, help="the many-requests part stops after this long")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("serve_options", nargs="*", help="more `dolmetsch serve` options, after --")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    limit = raise_file_limit(args.connections * 2 + 256)  # the server inherits it: its side of every connection
    if limit < args.connections + 64:
        raise SystemExit(f"open-file limit {limit} is too low for {args.connections} connections")
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="serve-load-") as scratch:
        server = Server(Path(scratch), args.serve_options)
        try:
            server.wait()
            asyncio.run(ordinary_latencies(server, 2, args.timeout, 900_000))  # warm-up: imports, first decodes
            log(f"server up, RSS {server.rss_mb():.0f} MB")
            if "burst" in parts:
                results["burst"] = [asyncio.run(burst(server, args.connections, args.per_connection, args.timeout, args.settle, round_))
                                    for round_ in range(args.bursts)]
                log(f"burst: {results['burst']}")
            if "slow" in parts:
                results["slow"] = asyncio.run(slow(server, args.slow_seconds, args.slow_clients, args.timeout))
                log(f"slow: {results['slow']}")
            if "many" in parts:
                results["many"] = asyncio.run(many(server, args.requests, args.clients, args.timeout, args.deadline))
                log(f"many: {results['many']}")
        except BaseException:
            sys.stderr.write(server.tail() + "\n")
            raise
        finally:
            server.stop()
    print(f"\ndolmetsch serve, tiny model, glossary/; {os.cpu_count()} cores; loopback\n")
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
