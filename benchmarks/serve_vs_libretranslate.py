"""`dolmetsch serve` against LibreTranslate 1.9.6 serving the same Argos model on the same machine.

    .venv/bin/python benchmarks/serve_vs_libretranslate.py                  # tiny model, 1/4/16 clients
    .venv/bin/python benchmarks/serve_vs_libretranslate.py --models tiny,base --json out.json

Both servers run on loopback, started by this script and stopped at the end, and are measured in
the same run, level by level and alternately, so machine noise hits both. At each concurrency
(1, 4, 16 clients) every client sends article paragraphs (the real paragraphs of
`examples/putin-kim.txt`) one request at a time as LibreTranslate's clients do: JSON
`POST /translate {"q": paragraph, "source": "de", "target": "en", "format": "text"}`. Each request
is unique (a request number goes before every sentence's final punctuation), so neither server's
cache can answer it: every sentence is decoded. Throughput is workload sentences (counted once,
with dolmetsch's splitter, the same count for both) per second of wall time from the first request
to the last answer; latency is per request (p50, p95). Request counts are bounded per level
(`--requests`), and each level stops sending at `--level-seconds`. Each row also gives the
server's CPU time per sentence (user + system of its process over the level, from /proc): on a
shared machine it moves far less than wall time. `--baseline TREE` serves a second dolmetsch source
tree (a checkout of an earlier commit) in the same run, level by level with the others, for
before/after figures.

LibreTranslate is installed with pip into its own virtual environment,
`~/.cache/dolmetsch-bench/lt-venv` (never into the project's), and checked: version 1.9.6, no
torch. The model is installed from its `.argosmodel` with argostranslate into a scratch Argos data
folder (`~/.cache/dolmetsch-bench/lt-argos/<model>/`: HOME, XDG_* and ARGOS_PACKAGES_DIR point
there; ARGOS_PACKAGE_INDEX points at a closed loopback port, so LibreTranslate's start-up index
update fails at once and it serves what is installed). It runs as
`libretranslate --host 127.0.0.1 --port P --load-only de,en --disable-files-translation` with its
defaults otherwise (4 waitress threads, no cache, no limits).

**LibreTranslate's sentence splitter** (argostranslate's MiniSBD) downloads an ONNX model on first
use. This script works around that in LibreTranslate's environment only: it writes a
`sitecustomize.py` into a scratch folder put on that process's PYTHONPATH (nothing in the venv or
the project changes). That module, which Python imports at start-up, replaces `split_sentences`
of argostranslate's sentencizer classes with a small regex splitter (a boundary after `.`, `!`,
`?` or `…`, optional closing quotes, whitespace, then a capital, digit or opening quote).

**Same work for both.** The same beam (4, both defaults) and CTranslate2 threads (`--threads`,
ARGOS_INTRA_THREADS for LibreTranslate, `--threads` for dolmetsch: one batch at a time split across
the threads). `--layout batches` gives both the same threads as separate batches decoded at once,
one thread each instead (ARGOS_INTER_THREADS=N with ARGOS_INTRA_THREADS=1; dolmetsch's automatic
plan, `--threads 0`, which is N batches × 1 thread when N is the cores, at most four): on small
models one batch split across threads spends most of its CPU time waiting on the other thread. dolmetsch limits each
sentence's decoded length to min(500, 2 × source pieces + 10); Argos decodes to 256 pieces. The
same `sitecustomize.py` gives LibreTranslate dolmetsch's limit (its translate_batch calls are split
into groups of equal limit), so the random-weight `base` model, which never emits EOS, generates
the same number of pieces in both. dolmetsch enforces the repository's glossary (`glossary/`), as
it serves by default; `--no-glossary` measures it without.

Models: `tiny` (tests/fixtures/translate-de_en-tiny.argosmodel); `base`, the random-weight
Transformer-base that benchmarks/realistic_model.py builds into ~/.cache/dolmetsch-bench/ (used
when it is there or named with `--models base`).

Targets: at 16 clients ≥ 3× LibreTranslate's throughput; at 1 client a p50 no worse than
LibreTranslate's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "translate"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
CACHE = Path(os.environ.get("DOLMETSCH_BENCH_CACHE", Path.home() / ".cache" / "dolmetsch-bench"))
LT_VENV = CACHE / "lt-venv"
LT_VERSION = "1.9.6"
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
ARTICLE = ROOT / "examples" / "putin-kim.txt"
GLOSSARY = ROOT / "glossary"
CLOSED_PORT_URL = "http://127.0.0.1:9/"  # the discard port: nothing listens, a connection fails at once
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 300

SITECUSTOMIZE = r'''"""Benchmark only (dolmetsch benchmarks/serve_vs_libretranslate.py): an offline sentence splitter
for argostranslate (MiniSBD would download a model) and dolmetsch's per-sentence length limit."""
import math
import os
import re

_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'\u201c\u201d\u00bb\u00ab\u2019)]*\s+(?=[\u201e\"\u00bb\u00ab(A-Z\u00c4\u00d6\u00dc0-9])")


def _split(self, text):
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.end() - (len(match.group()) - len(match.group().rstrip()))
        sentences.append(text[start:end])
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:])
    return [s for s in sentences if s.strip()]


def _patch():
    try:
        import argostranslate.sbd as sbd
    except ImportError:
        return
    for name in ("MiniSBDSentencizer", "StanzaSentencizer", "SpacySentencizerSmall"):
        if hasattr(sbd, name):
            setattr(getattr(sbd, name), "split_sentences", _split)
            setattr(getattr(sbd, name), "__init__", lambda self, pkg: setattr(self, "pkg", pkg))
    limits = os.environ.get("DOLMETSCH_BENCH_LIMIT")
    if not limits:
        return
    ratio, margin, top, max_input = (float(x) for x in limits.split(","))
    import ctranslate2

    base = ctranslate2.Translator

    class LimitedTranslator(base):
        def translate_batch(self, source, *args, **kwargs):
            if args or kwargs.get("asynchronous"):
                return super().translate_batch(source, *args, **kwargs)
            prefix = kwargs.pop("target_prefix", None)
            kwargs.pop("max_decoding_length", None)
            groups = {}
            for i, pieces in enumerate(source):
                limit = int(min(top, math.ceil(ratio * min(len(pieces), max_input)) + margin))
                groups.setdefault(limit, []).append(i)
            results = [None] * len(source)
            for limit, members in groups.items():
                decoded = super().translate_batch(
                    [source[i] for i in members], target_prefix=[prefix[i] for i in members] if prefix else None,
                    max_decoding_length=limit, **kwargs)
                for i, result in zip(members, decoded):
                    results[i] = result
            return results

    ctranslate2.Translator = LimitedTranslator


_patch()
'''


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- LibreTranslate: its own venv, a scratch Argos home, the offline splitter ------------------


def ensure_lt_venv() -> Path:
    """LibreTranslate 1.9.6 in its own venv (created on first use); refuses one that pulled in torch."""
    python = LT_VENV / "bin" / "python"
    if not (LT_VENV / "bin" / "libretranslate").is_file():
        log(f"installing LibreTranslate {LT_VERSION} into {LT_VENV} (pip; a few minutes)")
        subprocess.run([sys.executable, "-m", "venv", str(LT_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"libretranslate=={LT_VERSION}"], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, importlib.util as u; print(m.version('libretranslate'), u.find_spec('torch') is not None)"],
        capture_output=True, text=True, check=True,
    )
    version, torch = probe.stdout.split()
    if version != LT_VERSION:
        raise SystemExit(f"{LT_VENV} holds LibreTranslate {version}, not {LT_VERSION}: remove it and run again")
    if torch == "True":
        raise SystemExit(f"{LT_VENV} has torch installed; LibreTranslate {LT_VERSION} should not need it")
    return python


def limit_setting() -> str:
    from dolmetsch.engine.engine import DecodingOptions

    o = DecodingOptions()
    return f"{o.length_ratio},{o.length_margin},{o.max_length},{o.max_input}"


def lt_env(home: Path, threads: int, shim: Path, layout: str = "intra") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"), ARGOS_PACKAGES_DIR=str(home / "packages"),
        ARGOS_PACKAGE_INDEX=CLOSED_PORT_URL, ARGOS_DEVICE_TYPE="cpu",
        ARGOS_INTRA_THREADS=str(threads) if layout == "intra" else "1", ARGOS_INTER_THREADS="1" if layout == "intra" else str(threads),
        PYTHONPATH=str(shim), DOLMETSCH_BENCH_LIMIT=limit_setting(),
    )
    return env


def lt_home(python: Path, name: str, archive: Path, shim: Path) -> Path:
    """The model installed once per archive into LibreTranslate's own scratch Argos folder."""
    home = CACHE / "lt-argos" / name
    marker = home / "installed.json"
    stamp = json.dumps({"archive": str(archive), "mtime": archive.stat().st_mtime, "size": archive.stat().st_size})
    if not marker.is_file() or marker.read_text() != stamp:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        subprocess.run(
            [str(python), "-c", "import sys, argostranslate.package as p; p.install_from_path(sys.argv[1])", str(archive)],
            env=lt_env(home, 1, shim), check=True, capture_output=True,
        )
        marker.write_text(stamp)
    return home


# --- the models ---------------------------------------------------------------------------------


def model_archives(names: list[str]) -> dict[str, Path]:
    found = {}
    for name in names:
        if name == "tiny":
            found[name] = TINY
        elif name == "base":
            import realistic_model

            found[name] = Path(realistic_model.build(log=log)["archive"])
        else:
            raise SystemExit(f"unknown model {name!r} (tiny, base)")
    return found


def default_models() -> list[str]:
    base = CACHE / "translate-de_en-base-random.argosmodel"
    return ["tiny", "base"] if base.is_file() else ["tiny"]


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on loopback: started, waited for, measured (RSS) and stopped."""

    def __init__(self, name: str, command: list[str], env: dict, port: int, log_path: Path, cwd: Path = ROOT):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log_file = open(log_path, "wb")
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait(self, path: str = "/languages") -> float:
        import httpx

        started = time.monotonic()
        while time.monotonic() - started < START_TIMEOUT_S:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see {self.log_file.name}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"{self.name} did not answer {path} within {START_TIMEOUT_S} s; see {self.log_file.name}")

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (user + system, every thread), from /proc."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def start_libretranslate(python: Path, home: Path, shim: Path, threads: int, logs: Path, model: str, layout: str = "intra") -> Server:
    port = free_port()
    command = [str(python.parent / "libretranslate"), "--host", "127.0.0.1", "--port", str(port),
               "--load-only", "de,en", "--disable-files-translation"]
    return Server(f"LibreTranslate {LT_VERSION}", command, lt_env(home, threads, shim, layout), port, logs / f"lt-{model}.log")


def start_dolmetsch(archive: Path, threads: int, logs: Path, model: str, glossary: bool, tree: Path = ROOT, label: str = "") -> Server:
    """`tree`: the dolmetsch source tree to serve (another one, such as a baseline checkout, for before/after);
    `threads` 0: dolmetsch's automatic plan (a batch per core, one thread each)."""
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "translate"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--model", str(archive), "--threads", str(threads)]
    command += ["--glossary", str(GLOSSARY)] if glossary else ["--no-glossary"]
    return Server("dolmetsch serve" + label, command, env, port, logs / f"dolmetsch{label.strip(' ()')}-{model}.log")


# --- the workload ------------------------------------------------------------------------------


def article_paragraphs() -> list[str]:
    """The article's running-text paragraphs (blocks of sentences; not titles, captions or credits)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", ARTICLE.read_text(encoding="utf-8"))]
    return [b for b in blocks if "\n" not in b and len(b) > 120 and b[-1] in ".!?“\""]


SENTENCE_END = re.compile(r"(?<=[\w“”\"])([.!?])(?=[“”\"]?(?:\s|$))")


def unique(paragraph: str, number: int) -> str:
    """The paragraph with its request number before every sentence's final punctuation."""
    return SENTENCE_END.sub(lambda m: f" ({number}){m.group(1)}", paragraph)


def sentence_count(text: str) -> int:
    from dolmetsch.document.sentences import split_sentences

    return len(split_sentences(text))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def load(server: Server, clients: int, requests: int, paragraphs: list[str], first_number: int, level_seconds: float) -> dict:
    """`clients` threads, each with its own keep-alive connection, share `requests` requests."""
    import httpx

    jobs = list(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    sentences = [0]
    deadline = time.monotonic() + level_seconds
    cpu_before = server.cpu_s()

    def client() -> None:
        with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as http:
            while time.monotonic() < deadline:
                with lock:
                    if not jobs:
                        return
                    job = jobs.pop(0)
                text = unique(paragraphs[job % len(paragraphs)], first_number + job)
                body = {"q": text, "source": "de", "target": "en", "format": "text"}
                started = time.perf_counter()
                try:
                    response = http.post("/translate", json=body)
                    ok = response.status_code == 200 and isinstance(response.json().get("translatedText"), str)
                    why = f"{response.status_code} {response.text[:120]}"
                except (httpx.HTTPError, ValueError) as exc:
                    ok, why = False, f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                with lock:
                    if ok:
                        latencies.append(elapsed)
                        sentences[0] += sentence_count(text)
                    else:
                        errors.append(why)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=level_seconds + REQUEST_TIMEOUT_S)
    wall = time.perf_counter() - started
    cpu = server.cpu_s() - cpu_before
    return {
        "server": server.name, "clients": clients, "requests": len(latencies), "errors": len(errors),
        "error_sample": errors[:3], "sentences": sentences[0], "wall_s": wall,
        "sentences_per_s": sentences[0] / wall if wall else float("nan"),
        "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
        "rss_mb": server.rss_mb(), "server_cpu_s": cpu,
        "cpu_ms_per_sentence": cpu / sentences[0] * 1000 if sentences[0] else float("nan"),
    }


# --- the run -------------------------------------------------------------------------------------


def run_model(args, name: str, archive: Path, python: Path, shim: Path, logs: Path) -> list[dict]:
    home = lt_home(python, name, archive, shim)
    paragraphs = article_paragraphs()
    threads = args.threads if args.layout == "intra" else 0
    servers = [start_libretranslate(python, home, shim, args.threads, logs, name, args.layout),
               start_dolmetsch(archive, threads, logs, name, args.glossary)]
    if args.baseline:
        servers.append(start_dolmetsch(archive, threads, logs, name, args.glossary, args.baseline, " (baseline)"))
    rows = []
    try:
        for server in servers:
            log(f"{name}: {server.name} up in {server.wait():.1f} s at {server.url}")
        number = 1
        for server in servers:  # warm-up: first decodes, lazy imports, the glossary's first match
            load(server, 1, 2, paragraphs, number, args.level_seconds)
        number += 2
        for clients in args.clients:
            requests = max(clients, args.requests if clients > 1 else args.requests_one)
            order = servers if clients % 2 else list(reversed(servers))  # alternate who goes first
            for server in order:
                result = load(server, clients, requests, paragraphs, number, args.level_seconds)
                result["model"] = name
                rows.append(result)
                log(f"{name} {clients:>2} clients {server.name}: {result['requests']} requests, "
                    f"{result['sentences_per_s']:.1f} sentences/s, p50 {result['p50_ms']:.0f} ms, "
                    f"p95 {result['p95_ms']:.0f} ms, {result['errors']} errors")
            number += requests  # the same unique texts for both servers at a level
    finally:
        for server in servers:
            server.stop()
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| model | clients | server | requests | sentences | sentences/s | p50 ms | p95 ms | server CPU ms/sentence | errors | RSS MB |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['clients']} | {r['server']} | {r['requests']} | {r['sentences']} | "
                     f"{r['sentences_per_s']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['cpu_ms_per_sentence']:.1f} | {r['errors']} | {r['rss_mb']:.0f} |")
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for model in sorted({r["model"] for r in rows}):
        by = {(r["clients"], r["server"].split()[0]): r for r in rows if r["model"] == model and "baseline" not in r["server"]}
        for clients in sorted({c for c, _ in by}):
            lt, dm = by.get((clients, "LibreTranslate")), by.get((clients, "dolmetsch"))
            if not lt or not dm:
                continue
            ratio = dm["sentences_per_s"] / lt["sentences_per_s"] if lt["sentences_per_s"] else float("nan")
            line = f"{model}, {clients} clients: throughput {ratio:.2f}× LibreTranslate's, p50 {dm['p50_ms']:.0f} vs {lt['p50_ms']:.0f} ms"
            if clients == 16:
                line += f" (target ≥ 3×: {'met' if ratio >= 3 else 'NOT met'})"
            if clients == 1:
                line += f" (target p50 no worse: {'met' if dm['p50_ms'] <= lt['p50_ms'] else 'NOT met'})"
            out.append(line)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", help="tiny,base (default: tiny, and base when built)")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels (default 1,4,16)")
    parser.add_argument("--requests", type=int, default=64, help="requests per level with several clients (default 64)")
    parser.add_argument("--requests-one", type=int, default=16, help="requests at 1 client (default 16)")
    parser.add_argument("--level-seconds", type=float, default=240, help="stop sending after this long per level (default 240)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="CTranslate2 threads for both (default: the cores)")
    parser.add_argument("--layout", choices=("intra", "batches"), default="intra",
                        help="intra: one batch at a time on all the threads (default); batches: a batch per thread")
    parser.add_argument("--no-glossary", dest="glossary", action="store_false", help="dolmetsch without the glossary")
    parser.add_argument("--json", help="write the rows here")
    parser.add_argument("--baseline", type=Path, help="another dolmetsch source tree (e.g. `git worktree add /tmp/base main`) "
                        "served too, in the same run and interleaved, for before/after")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    if args.layout == "batches":
        from dolmetsch.engine.engine import MAX_PARALLEL_BATCHES, usable_cores

        if args.threads != min(usable_cores(), MAX_PARALLEL_BATCHES):
            parser.error(f"--layout batches needs --threads {min(usable_cores(), MAX_PARALLEL_BATCHES)}: "
                         "dolmetsch's automatic plan is a batch per core (at most four)")
    names = args.models.split(",") if args.models else default_models()
    python = ensure_lt_venv()
    archives = model_archives(names)
    rows = []
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        shim = Path(scratch) / "lt-shim"
        shim.mkdir()
        (shim / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        logs = Path(scratch) / "logs"
        logs.mkdir()
        try:
            for name in names:
                rows += run_model(args, name, archives[name], python, shim, logs)
        except BaseException:
            for path in sorted(logs.iterdir()):
                sys.stderr.write(f"--- {path.name} (last lines)\n" + "\n".join(path.read_text(errors="replace").splitlines()[-15:]) + "\n")
            raise
    print(f"\n{len(article_paragraphs())} article paragraphs, unique per request; {args.threads} CTranslate2 threads each ({args.layout}); "
          f"dolmetsch {'with' if args.glossary else 'without'} the glossary; {os.cpu_count()} cores\n")
    print(table(rows))
    print()
    for line in verdicts(rows):
        print("- " + line)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
