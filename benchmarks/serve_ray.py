"""`dolmetsch serve --ray` (Ray Serve replicas) against the single `dolmetsch serve` process, same run.

    .venv/bin/python benchmarks/serve_ray.py                      # tiny model, 16 clients, 1 and 2 replicas
    .venv/bin/python benchmarks/serve_ray.py --rounds 3 --json out.json --no-glossary

Three servers on loopback, one at a time (an idle Ray instance still costs CPU, so none runs beside
another's measurement), in rounds: the single process (`--threads 0`: its automatic plan, a batch
per core), `--ray --replicas 1` and `--ray --replicas 2` on a local Ray instance (automatic replica
CPUs: this machine's cores shared out, so one replica decodes as many batches at once as the single
process and two replicas one each on two cores). Each server gets the same workload as
`serve_vs_libretranslate.py` gives: `--clients` threads (16), each with its own keep-alive
connection, send the article's paragraphs, unique per request (a request number before every
sentence's end), so no cache answers: every sentence is decoded. A short warm-up precedes each
measurement. Throughput is workload sentences per second of wall time; latency per request (p50,
p95); CPU per sentence is the server's whole process tree (the ingress, Ray's own processes and
the replicas), from /proc. The glossary (`glossary/`) is enforced unless `--no-glossary`. Each
configuration's figure is the median of its rounds; ratios to the single process are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_vs_libretranslate import GLOSSARY, ROOT, TINY, Server, article_paragraphs, free_port, load  # noqa: E402

CONFIGS = (("single process", ()), ("Ray, 1 replica", ("--ray", "--replicas", "1")), ("Ray, 2 replicas", ("--ray", "--replicas", "2")))


class TreeServer(Server):
    """A server whose CPU time is that of its whole process tree (Ray's processes are its descendants)."""

    def cpu_s(self) -> float:
        total = 0.0
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
        return total

    def rss_mb(self) -> float:
        total = 0.0
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
            except OSError:
                continue
        return total


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def start(label: str, options: tuple[str, ...], archive: Path, glossary: bool, logs: Path) -> TreeServer:
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "translate"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--model", str(archive), "--offline", "--threads", "0", *options]
    command += ["--glossary", str(GLOSSARY)] if glossary else ["--no-glossary"]
    name = label.replace(",", "").replace(" ", "-")
    return TreeServer(label, command, env, port, logs / f"{name}.log")


def measure(args, label: str, options: tuple[str, ...], logs: Path, first_number: int) -> dict:
    server = start(label, options, args.model, args.glossary, logs)
    try:
        started = server.wait("/health")
        paragraphs = article_paragraphs()
        load(server, args.clients, args.clients * 2, paragraphs, first_number, args.seconds)  # warm-up: every replica decodes
        row = load(server, args.clients, args.requests, paragraphs, first_number + 100_000, args.seconds)
        row["start_s"] = started
        return row
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=TINY, help="an .argosmodel (default: the tiny test model)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=160, help="requests per measurement (default 160)")
    parser.add_argument("--seconds", type=float, default=120, help="stop sending after this long (default 120)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three servers (default 2)")
    parser.add_argument("--no-glossary", dest="glossary", action="store_false", help="serve without the glossary")
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="serve-ray-bench-") as scratch:
        logs = Path(scratch)
        try:
            for round_number in range(args.rounds):
                for index, (label, options) in enumerate(CONFIGS):
                    row = measure(args, label, options, logs, 1_000_000 * (round_number * len(CONFIGS) + index + 1))
                    row["round"] = round_number + 1
                    rows.append(row)
                    print(f"round {row['round']}: {label}: {row['sentences_per_s']:.1f} sentences/s, p50 {row['p50_ms']:.0f} ms, "
                          f"{row['errors']} errors", file=sys.stderr)
        except BaseException:
            for path in sorted(logs.iterdir()):
                sys.stderr.write(f"--- {path.name} (last lines)\n" + "\n".join(path.read_text(errors="replace").splitlines()[-15:]) + "\n")
            raise
    medians = {}
    print(f"\n{len(article_paragraphs())} article paragraphs, unique per request; {args.clients} clients; model {args.model.name}; "
          f"glossary {'enforced' if args.glossary else 'off'}; {os.cpu_count()} cores; median of {args.rounds} round(s)\n")
    print("| server | sentences/s | p50 ms | p95 ms | CPU ms/sentence (process tree) | RSS MB (tree) | start-up s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, _ in CONFIGS:
        mine = [r for r in rows if r["server"] == label]
        median = {key: statistics.median(r[key] for r in mine) for key in ("sentences_per_s", "p50_ms", "p95_ms", "cpu_ms_per_sentence", "rss_mb", "start_s")}
        medians[label] = median
        print(f"| {label} | {median['sentences_per_s']:.1f} | {median['p50_ms']:.0f} | {median['p95_ms']:.0f} | "
              f"{median['cpu_ms_per_sentence']:.1f} | {median['rss_mb']:.0f} | {median['start_s']:.1f} | {sum(r['errors'] for r in mine)} |")
    single = medians[CONFIGS[0][0]]["sentences_per_s"]
    print()
    for label, _ in CONFIGS[1:]:
        print(f"- {label}: {medians[label]['sentences_per_s'] / single:.2f}× the single process's throughput")
    two, one = medians[CONFIGS[2][0]]["sentences_per_s"], medians[CONFIGS[1][0]]["sentences_per_s"]
    print(f"- 2 replicas: {two / one:.2f}× 1 replica's")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
