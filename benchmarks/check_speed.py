"""`dolmetsch check` with a glossary on the bundled article's reviewed PO: a first run on a machine
(which builds the word-form cache) against every run after it, and against the time simplemma alone
takes to give its first German lemma (what every check paid before the cache).

    .venv/bin/python benchmarks/check_speed.py [--runs 5]

Prints medians with their spread, and the ratios, all measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECK = [str(BIN / "dolmetsch"), "check", str(ROOT / "tests" / "fixtures" / "putin-kim.reviewed.en.po"), "--glossary", str(ROOT / "glossary")]
SIMPLEMMA = [sys.executable, "-c", "import simplemma; simplemma.lemmatize('Raketen', lang='de')"]


def timed(command: list[str], cache: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    first, warm, simplemma = [], [], []
    for _ in range(runs):  # interleaved, so a busy moment hits every figure alike
        with tempfile.TemporaryDirectory() as cache:
            first.append(timed(CHECK, Path(cache)))
            warm.append(timed(CHECK, Path(cache)))
            simplemma.append(timed(SIMPLEMMA, Path(cache)))

    def show(name: str, values: list[float]) -> float:
        median = statistics.median(values)
        print(f"{name:<44} {median:6.2f} s  (min {min(values):.2f}, max {max(values):.2f})")
        return median

    print(f"dolmetsch check on the reviewed article PO, glossary/ ({runs} interleaved runs, {os.cpu_count()} cores)")
    cold = show("first run on a machine (builds the cache)", first)
    hot = show("every later run", warm)
    floor = show("simplemma's first lemma alone (old floor)", simplemma)
    print(f"later run / first run: {hot / cold:.2f}   later run / simplemma's first lemma: {hot / floor:.2f}")
    print(f"target: a later run under 1 s: {'PASS' if hot < 1 else 'MISS'}")


if __name__ == "__main__":
    main()
