"""Weblate's DeepL batch against `dolmetsch serve`: 20 strings with a glossary of 1,000 entries,
against the same 20 strings without a glossary, in the same run, on the same server.

    .venv/bin/python benchmarks/deepl_batch.py [--model FILE.argosmodel] [--rounds 5] [--data ../shared/wmt23-terminology-de-en]

The strings are the first 20 sentences of the WMT 2023 terminology test set (`deen.de`, read in
place, never copied), every other one given a `%s` placeable, sent as Weblate's DeepL machinery
sends them (weblate/machinery/deepl.py and base.py: html.escape'd, placeables as `<x id="N"></x>`,
JSON with `tag_handling: xml`, `ignore_tags: ["x"]`, `formality`, `glossary_id`). The glossary is
1,000 distinct term pairs of `deen.term.proper`: those of the 20 sentences first (so every sentence
has terms to enforce), then the others in file order; it is uploaded as Weblate uploads it (TSV,
after listing the pairs and glossaries), and the upload's time includes building its enforcers.

The server runs with `--cache-size 0`, so every round decodes again; the rounds alternate with and
without the glossary. The server's own curated glossary (./glossary/) is enforced in both. Printed:
each configuration's first and median time per batch, the ratio of the medians, the slowest batch
with the glossary against Weblate's `request_timeout = 5` seconds, and the enforcement outcome.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
GLOSSARY = ROOT / "glossary"
WEBLATE_TIMEOUT = 5.0
"""`BatchMachineTranslation.request_timeout` in Weblate's weblate/machinery/base.py."""
STRINGS = 20
ENTRIES = 1000
PLACEABLE = re.compile(r"%s")


def shared_folder(name: str) -> Path:
    """`shared/<name>` beside the checkout, or beside a folder above it (a git worktree of it)."""
    for folder in ROOT.parents:
        if (folder / "shared" / name).is_dir():
            return folder / "shared" / name
    return ROOT.parent / "shared" / name


def lines(path: Path) -> list[str]:
    """Lines split on \\n only: sentences may contain other Unicode line separators."""
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


def usable(term: str) -> bool:
    return bool(term) and not any(ord(c) < 32 or 127 <= ord(c) <= 159 or c in "\u2028\u2029" for c in term)


def workload(data: Path) -> tuple[list[str], str, int]:
    """The 20 strings (Weblate-escaped, with placeables), the glossary TSV, and how many entries it has."""
    sentences = lines(data / "deen.de")[:STRINGS]
    terms = [json.loads(line) for line in lines(data / "deen.term.proper")]
    chosen: dict[str, str] = {}
    for pairs in terms:  # the 20 sentences' own terms come first
        for pair in pairs:
            de, en = pair["de"].strip(), pair["en"].strip()
            if len(chosen) < ENTRIES and usable(de) and usable(en) and de not in chosen:
                chosen[de] = en
    texts = [s + (" (%s)" if i % 2 else "") for i, s in enumerate(sentences)]
    return [weblate_cleanup(t) for t in texts], "\n".join(f"{de}\t{en}" for de, en in chosen.items()), len(chosen)


def weblate_cleanup(text: str) -> str:
    """`cleanup_text` of Weblate's XML mixin with DeepL's `format_replacement`."""
    parts, start = [], 0
    for found in PLACEABLE.finditer(text):
        parts += [html.escape(text[start:found.start()]), f'<x id="{found.start()}"></x>']
        start = found.end()
    parts.append(html.escape(text[start:]))
    return "".join(parts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model: Path, home: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "translate"), env.get("PYTHONPATH", "")) if p)
    command = [  # glossaries in the scratch folder; the user's cache (word forms, glossary indexes) as it is
        sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--port", str(port), "--model", str(model),
        "--offline", "--glossary", str(GLOSSARY), "--cache-size", "0", "--glossary-entries", str(ENTRIES),
        "--data-dir", str(home / "data"),
    ]
    log = open(home / "serve.log", "wb")
    process = subprocess.Popen(command, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"dolmetsch serve exited with {process.returncode}: {(home / 'serve.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("dolmetsch serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=TINY, help="Argos package (default: the tiny test model)")
    parser.add_argument("--data", type=Path, default=shared_folder("wmt23-terminology-de-en"))
    parser.add_argument("--rounds", type=int, default=5, help="batches per configuration (default 5)")
    args = parser.parse_args(argv)
    texts, tsv, entries = workload(args.data)
    headers = {"Referer": "https://weblate.example/", "Accept": "application/json; charset=utf-8", "Authorization": "DeepL-Auth-Key bench"}
    with tempfile.TemporaryDirectory(prefix="dolmetsch-deepl-bench-") as scratch:
        port = free_port()
        process = start_server(args.model, Path(scratch), port)
        base = f"http://127.0.0.1:{port}/v2"
        try:
            with httpx.Client(headers=headers, timeout=120) as client:
                started = time.perf_counter()
                client.get(f"{base}/glossary-language-pairs").raise_for_status()
                client.get(f"{base}/glossaries").raise_for_status()
                created = client.post(f"{base}/glossaries", json={
                    "name": "weblate:1:DE:EN:bench", "source_lang": "DE", "target_lang": "EN", "entries": tsv, "entries_format": "tsv",
                })
                created.raise_for_status()
                client.get(f"{base}/glossaries").raise_for_status()
                upload = time.perf_counter() - started
                glossary_id = created.json()["glossary_id"]
                conflicts = len(created.json()["dolmetsch"]["conflicts"])

                def batch(with_glossary: bool) -> tuple[float, dict]:
                    body = {"text": texts, "source_lang": "DE", "target_lang": "EN", "formality": "default",
                            "tag_handling": "xml", "ignore_tags": ["x"]}
                    if with_glossary:
                        body["glossary_id"] = glossary_id
                    began = time.perf_counter()
                    response = client.post(f"{base}/translate", json=body)
                    elapsed = time.perf_counter() - began
                    response.raise_for_status()
                    return elapsed, response.json()

                times: dict[bool, list[float]] = {True: [], False: []}
                answers: dict[bool, dict] = {}
                for _ in range(args.rounds):
                    for with_glossary in (True, False):
                        elapsed, answers[with_glossary] = batch(with_glossary)
                        times[with_glossary].append(elapsed)
        finally:
            process.terminate()
            process.wait(timeout=60)
    for sent, answer in zip(texts, answers[True]["translations"]):
        for placeholder in re.findall(r'<x id="\d+"></x>', sent):
            assert answer["text"].count(placeholder) == 1, (sent, answer["text"])
    outcomes: dict[str, int] = {}
    for text in answers[True]["dolmetsch"]["texts"]:
        for sentence in text["sentences"]:
            for term in sentence["terms"]:
                outcomes[term["how"]] = outcomes.get(term["how"], 0) + 1
    with_median, without_median = statistics.median(times[True]), statistics.median(times[False])
    slowest = max(times[True])
    print(f"model {args.model.name}; {STRINGS} strings, {sum(len(t) for t in texts)} characters; glossary {entries} entries "
          f"({conflicts} conflicts with the server's); upload with Weblate's calls {upload * 1000:.0f} ms")
    print("| glossary | first batch | median batch | slowest | rounds |")
    print("|---|---:|---:|---:|---:|")
    for label, key in (("1,000 entries", True), ("none", False)):
        print(f"| {label} | {times[key][0] * 1000:.0f} ms | {statistics.median(times[key]) * 1000:.0f} ms | {max(times[key]) * 1000:.0f} ms | {len(times[key])} |")
    print(f"ratio of medians (glossary / none): {with_median / without_median:.2f}")
    print(f"slowest batch with the glossary {slowest:.2f} s: {'under' if slowest < WEBLATE_TIMEOUT else 'NOT under'} Weblate's {WEBLATE_TIMEOUT:.0f} s timeout")
    print("terms matched in the batch, by how they were satisfied: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print("placeables: every <x id=\"N\"></x> came back exactly once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
