"""Measure German sentence splitters on the hard cases in tests/data/german_sentence_cases.tsv.

Each candidate runs in its own Python process with a fresh, empty HOME and cache directory and an
audit hook that refuses and records every network connection and subprocess, so "downloads" is
measured rather than assumed; writes to files are recorded too. Accuracy is scored on sentence
boundaries after mapping every splitter's output back to character offsets with the same aligner the
product uses (libraries reformat whitespace and quotes). Accuracy numbers are deterministic; the
timings are wall-clock and vary a little from run to run.

    python benchmarks/sentence_splitters.py            # the table
    python benchmarks/sentence_splitters.py --show syntok   # the cases one candidate gets wrong
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "german_sentence_cases.tsv"
SEPARATOR = " ||| "
NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"}
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn"}
EXCLUDED = {
    "nltk punkt": "not measured: nltk ships no Punkt model; its German model is fetched at run time by "
    "nltk.download() from outside PyPI, and the PyPI repackagings are either fetched at install time "
    "(nltk-punkt) or unmaintained third-party copies",
    "somajo de": "not measured: SoMaJo 2.5 has no plain 'de' model, only 'de_CMC' and 'en_PTB' ('de' fails an assertion)",
}


def load_cases() -> list[tuple[str, list[str]]]:
    """(text, expected sentences) pairs from the case table."""
    rows = CASES.read_text(encoding="utf-8").splitlines()
    if rows[0] != "text\texpected":
        raise SystemExit(f"{CASES}: unexpected header {rows[0]!r}")
    return [(text, expected.split(SEPARATOR)) for text, expected in (row.split("\t") for row in rows[1:] if row)]


def make_pysbd() -> Callable[[str], list[str]]:
    import pysbd

    segmenter = pysbd.Segmenter(language="de", clean=False)
    return segmenter.segment


def make_syntok() -> Callable[[str], list[str]]:
    from syntok import segmenter

    def split(text: str) -> list[str]:
        return [
            "".join(token.spacing + token.value for token in sentence)
            for paragraph in segmenter.analyze(text)
            for sentence in paragraph
        ]

    return split


def make_somajo() -> Callable[[str], list[str]]:
    from somajo import SoMaJo

    tokenizer = SoMaJo("de_CMC", character_offsets=True)

    def split(text: str) -> list[str]:
        return [
            text[sentence[0].character_offset[0] : sentence[-1].character_offset[1]]
            for sentence in tokenizer.tokenize_text([text])
        ]

    return split


def make_blingfire() -> Callable[[str], list[str]]:
    import blingfire

    def split(text: str) -> list[str]:
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return [text[start:end] for start, end in offsets]

    return split


def make_sentencex() -> Callable[[str], list[str]]:
    import sentencex

    return lambda text: list(sentencex.segment("de", text))


def make_segtok() -> Callable[[str], list[str]]:
    from segtok.segmenter import split_multi

    return lambda text: list(split_multi(text))


def make_simplemma() -> Callable[[str], list[str]]:
    import simplemma

    return lambda text: simplemma.split_sentences(text, lang="de")


def make_dolmetsch() -> Callable[[str], list[str]]:
    from dolmetsch.document.sentences import split_sentences

    return lambda text: [text[start:end] for start, end in split_sentences(text)]


CANDIDATES: dict[str, Callable[[], Callable[[str], list[str]]]] = {
    "pysbd (de)": make_pysbd,
    "syntok": make_syntok,
    "somajo (de_CMC)": make_somajo,
    "blingfire": make_blingfire,
    "sentencex (de)": make_sentencex,
    "segtok": make_segtok,
    "simplemma (de)": make_simplemma,
    "dolmetsch split_sentences": make_dolmetsch,
}


def measure(name: str) -> dict:
    """Score one candidate; meant to run in a fresh process (see `probe`)."""
    from dolmetsch.document.sentences import align_starts

    events: dict[str, list[str]] = {"network": [], "process": [], "writes": []}

    def audit(event: str, args: tuple) -> None:
        if event in NETWORK_EVENTS:
            events["network"].append(f"{event} {args!r}"[:200])
            raise ConnectionRefusedError("network refused while measuring")
        if event in PROCESS_EVENTS:
            events["process"].append(f"{event} {args!r}"[:200])
            raise PermissionError("subprocess refused while measuring")
        if event == "open" and len(args) >= 2:
            path, mode = str(args[0]), args[1]
            writing = isinstance(mode, str) and any(flag in mode for flag in "wax+")
            writing |= isinstance(args[2] if len(args) > 2 else None, int) and bool(args[2] & (os.O_WRONLY | os.O_RDWR))
            if writing and path != os.devnull:
                events["writes"].append(path)

    cases = load_cases()
    sys.addaudithook(audit)
    started = time.perf_counter()
    split = CANDIDATES[name]()
    split(cases[0][0])
    setup_ms = (time.perf_counter() - started) * 1000

    exact = true_pos = false_pos = false_neg = 0
    rewrites = 0
    wrong = []
    for text, expected in cases:
        pieces = split(text)
        visible = "".join(text.split())
        if "".join("".join(pieces).split()) != visible:
            rewrites += 1
        want = set(align_starts(text, expected)[1:])
        got = set(align_starts(text, pieces)[1:])
        true_pos += len(want & got)
        false_pos += len(got - want)
        false_neg += len(want - got)
        if want == got:
            exact += 1
        else:
            wrong.append({"text": text, "expected": expected, "got": pieces})

    sentences = sum(len(expected) for _, expected in cases)
    passes = []
    while len(passes) < 3 or sum(passes) < 0.5:
        began = time.perf_counter()
        for text, _ in cases:
            split(text)
        passes.append(time.perf_counter() - began)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    return {
        "name": name,
        "cases": len(cases),
        "exact": exact,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "ms_per_1000": min(passes) / sentences * 1_000_000,
        "setup_ms": setup_ms,
        "rewrites": rewrites,
        "events": events,
        "wrong": wrong,
    }


def probe(name: str) -> dict:
    """Run `measure(name)` in a fresh interpreter with an empty HOME and cache directory."""
    with tempfile.TemporaryDirectory(prefix="splitter-home-") as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "NLTK_DATA": os.path.join(home, "nltk_data"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        done = subprocess.run(
            [sys.executable, __file__, "--measure", name],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return {"name": name, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
        result = json.loads(done.stdout)
        result["home_files"] = sorted(str(path.relative_to(home)) for path in Path(home).rglob("*") if path.is_file())
        return result


def downloads(result: dict) -> str:
    """'yes' if the candidate tried the network or left files in its fresh home/cache directory."""
    tried = result["events"]["network"] or result["events"]["process"] or result["home_files"]
    return "yes" if tried else "no"


def print_table(results: list[dict]) -> None:
    header = f"{'candidate':<28}{'exact':>10}{'P':>7}{'R':>7}{'F1':>7}{'ms/1k sent':>12}{'setup ms':>10}  downloads?"
    print(header)
    print("-" * len(header))
    for result in results:
        if "error" in result:
            print(f"{result['name']:<28}  error: {' '.join(result['error'])}")
            continue
        exact = f"{result['exact']}/{result['cases']}"
        print(
            f"{result['name']:<28}{exact:>10}{result['precision']:>7.3f}{result['recall']:>7.3f}"
            f"{result['f1']:>7.3f}{result['ms_per_1000']:>12.1f}{result['setup_ms']:>10.0f}  {downloads(result)}"
        )
    for name, why in EXCLUDED.items():
        print(f"{name:<28}  {why}")
    print()
    print("exact: cases split exactly right; P/R/F1: sentence boundaries, micro-averaged over all cases;")
    print("setup ms: import + construction + first call in a fresh process; downloads?: network, subprocess")
    print("or files in a fresh HOME/XDG cache during setup and all cases (network and subprocesses refused).")
    rewriting = [f"{r['name']} ({r['rewrites']})" for r in results if r.get("rewrites")]
    if rewriting:
        print("output not a verbatim copy of the input (cases): " + ", ".join(rewriting))
    written = [f"{r['name']}: {r['events']['writes'][:3]}" for r in results if r.get("events", {}).get("writes")]
    for line in written:
        print("wrote files: " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", metavar="NAME", help="list the cases this candidate gets wrong (name prefix)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure)))
        return
    names = list(CANDIDATES)
    if options.show:
        names = [name for name in names if name.startswith(options.show)][:1]
        if not names:
            raise SystemExit(f"unknown candidate {options.show!r}; known: {', '.join(CANDIDATES)}")
    results = [probe(name) for name in names]
    print_table(results)
    if options.show and "wrong" in results[0]:
        for case in results[0]["wrong"]:
            print()
            print("text:     " + case["text"])
            print("expected: " + SEPARATOR.join(case["expected"]))
            print("got:      " + SEPARATOR.join(piece.strip() for piece in case["got"]))


if __name__ == "__main__":
    main()
