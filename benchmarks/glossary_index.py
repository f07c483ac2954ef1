"""A newsroom-sized term base: what a run pays for a big glossary, the first time and every time after.

Synthesises a glossary of `--rows` German multi-word terms from the words of the WMT 2023
terminology test set (read where it lies, never copied), then times `dolmetsch check` on the
bundled article's reviewed PO (or, with `--command translate`, a translation of the bundled article
with the tiny model), each in a fresh process:

* baseline: no glossary;
* cold: the big glossary, with no glossary index cached (the word-form cache already built);
* warm: the big glossary again, its index now cached.

    python benchmarks/glossary_index.py [--rows 100000] [--runs 1] [--command check|translate]

Prints each figure (median of `--runs`) and its ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA_NAME = Path("shared") / "wmt23-terminology-de-en"
PO = ROOT / "tests" / "fixtures" / "putin-kim.reviewed.en.po"
EXAMPLE = ROOT / "examples" / "putin-kim.txt"
TINY_MODEL = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
SEED = 2023


def default_data() -> Path:
    """The nearest `shared/wmt23-terminology-de-en` beside the checkout or a folder above it."""
    for folder in ROOT.parents:
        if (folder / DATA_NAME / "deen.term.proper").is_file():
            return folder / DATA_NAME
    return ROOT.parent / DATA_NAME


def term_words(data: Path) -> tuple[list[str], list[str]]:
    """The distinct German and English words of the listed term pairs, in order of first use."""
    german: dict[str, None] = {}
    english: dict[str, None] = {}
    text = (data / "deen.term.proper").read_text(encoding="utf-8")
    for line in text.removesuffix("\n").split("\n"):
        for pair in json.loads(line):
            german.update(dict.fromkeys(word for word in pair["de"].split() if word.isalpha()))
            english.update(dict.fromkeys(word for word in pair["en"].split() if word.isalpha()))
    return list(german), list(english)


def synthesise(rows: int, german: list[str], english: list[str], seed: int = SEED) -> str:
    """TSV text of `rows` distinct approved terms of two to four German words each."""
    chooser = random.Random(seed)
    seen: set[str] = set()
    lines = ["de\ten\tkind\tnote\tstatus"]
    while len(lines) <= rows:
        size = chooser.choice((2, 2, 3, 3, 4))
        de = " ".join(chooser.choice(german) for _ in range(size))
        if de in seen:
            continue
        seen.add(de)
        en = " ".join(chooser.choice(english) for _ in range(size))
        lines.append(f"{de}\t{en}\tterm\t\tapproved")
    return "\n".join(lines) + "\n"


def command(kind: str, glossary: Path | None, out: Path) -> list[str]:
    given = ["--glossary", str(glossary)] if glossary is not None else ["--no-glossary"]
    if kind == "check":
        if glossary is None:
            given = []  # check has no --no-glossary; it runs where no ./glossary/ applies
        return [str(BIN / "dolmetsch"), "check", str(PO), *given]
    return [
        str(BIN / "dolmetsch"), "translate", str(EXAMPLE), "--model", str(TINY_MODEL),
        "-o", str(out / "out"), "--locales", str(out / "locales"), *given,
    ]  # fmt: skip


def timed(argv: list[str], cache: Path, cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=cwd, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="measurements per figure (median shown)")
    parser.add_argument("--command", choices=("check", "translate"), default="check")
    parser.add_argument("--data", type=Path, default=None, help="WMT23 terminology de-en folder")
    args = parser.parse_args(argv)
    data = args.data or default_data()
    if not (data / "deen.term.proper").is_file():
        raise SystemExit(f"{data}: no deen.term.proper here (pass --data)")
    german, english = term_words(data)
    with tempfile.TemporaryDirectory(prefix="dolmetsch-glossary-index-") as scratch:
        work = Path(scratch)
        big = work / f"terms-{args.rows}.tsv"
        big.write_text(synthesise(args.rows, german, english), encoding="utf-8")
        words = work / "wordforms-cache"
        # the word-form index is built once, untimed: every figure starts from a machine that has it
        timed(command(args.command, ROOT / "glossary", work), words, work)
        baseline, cold, warm = [], [], []
        for run in range(args.runs):  # interleaved, so a busy moment hits every figure alike
            cache = work / f"cache-{run}"
            (cache / "dolmetsch").mkdir(parents=True)
            (cache / "dolmetsch" / "wordforms").symlink_to(words / "dolmetsch" / "wordforms", target_is_directory=True)
            baseline.append(timed(command(args.command, None, work), cache, work))
            cold.append(timed(command(args.command, big, work), cache, work))
            warm.append(timed(command(args.command, big, work), cache, work))

    print(f"dolmetsch {args.command}, glossary of {args.rows:,} synthetic terms from {data.resolve()}")
    print(f"({args.runs} interleaved run(s), {os.cpu_count()} cores; median seconds, ratio to the baseline)")
    base = statistics.median(baseline)
    for name, values in (("no glossary (baseline)", baseline), ("big glossary, cold", cold), ("big glossary, warm", warm)):
        median = statistics.median(values)
        print(f"  {name:<24} {median:8.2f} s  x{median / base:6.2f}  (+{median - base:.2f} s)")
    print(f"  warm / cold: {statistics.median(warm) / statistics.median(cold):.3f}")


if __name__ == "__main__":
    main()
