"""Translation memory at newsroom scale: build it over 1,000 PO files, look up 10,000 sentences.

The catalogues are made from the WMT 2023 test set (`../shared/wmt23-terminology-de-en/`, real
German with English references), each PO holding a slice of it, every entry confirmed. Lookups
are the 2,962 sentences, a third of them changed by one word, repeated to 10,000. The baseline,
measured in the same run, is reading the same files with polib alone and looking the sentences up
in a plain dict.

    python benchmarks/memory_lookup.py [--data DIR] [--files 1000] [--lookups 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "translate"))  # the source root, for runs without an install

import polib  # noqa: E402

from dolmetsch.memory import load_memory  # noqa: E402


def write_catalogues(folder: Path, german: list[str], english: list[str], files: int) -> list[Path]:
    paths = []
    per_file = max(1, len(german) // files + 1)
    for number in range(files):
        start = (number * per_file) % len(german)
        catalog = polib.POFile()
        catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
        for de, en in list(zip(german, english))[start : start + per_file]:
            catalog.append(polib.POEntry(msgid=de, msgstr=en, occurrences=[(f"article-{number}.txt", "1")]))
        path = folder / f"article-{number}.po"
        catalog.save(str(path))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "wmt23-terminology-de-en")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    german = (args.data / "deen.de").read_text(encoding="utf-8").splitlines()
    english = (args.data / "deen.en").read_text(encoding="utf-8").splitlines()
    queries = [s if i % 3 else s.replace(" ", " neu ", 1) for i, s in enumerate(german)]
    queries = (queries * (args.lookups // len(queries) + 1))[: args.lookups]

    with tempfile.TemporaryDirectory() as folder:
        paths = write_catalogues(Path(folder), german, english, args.files)

        started = time.perf_counter()
        plain = {e.msgid: e.msgstr for path in paths for e in polib.pofile(str(path))}
        hits = sum(1 for q in queries if q in plain)
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        memory = load_memory(paths)
        built = time.perf_counter() - started
        started = time.perf_counter()
        exact = [memory.exact(q) for q in queries]
        exact_s = time.perf_counter() - started
        misses = [q for q, found in zip(queries, exact) if found is None]
        started = time.perf_counter()
        near = sum(1 for q in misses if memory.nearest(q) is not None)
        near_s = time.perf_counter() - started

    print(f"{args.files} PO files, {len(memory)} remembered sentences, {len(queries)} lookups")
    print(f"baseline (polib + dict): {baseline:.2f} s, {hits} exact hits")
    print(f"memory build:            {built:.2f} s  ({built / baseline:.2f}× baseline)")
    print(f"exact lookups:           {exact_s * 1000:.1f} ms, {len(queries) - len(misses)} hits")
    print(f"near lookups:            {near_s:.2f} s for {len(misses)} misses, {near} suggestions "
          f"({near_s / max(len(misses), 1) * 1000:.2f} ms each; {(built + exact_s + near_s) / baseline:.2f}× baseline in all)")


if __name__ == "__main__":
    main()
