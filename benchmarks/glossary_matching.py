"""Glossary matching at scale on real data: the WMT 2023 terminology test set (German→English).

Builds one glossary from every term pair listed for the German sentences, matches it over
all sentences, and reports glossary size, build and match time, and recall: the share of each
sentence's own listed terms that the matcher finds in that sentence (an entry with that German
form matched there), overall and for multi-word terms. It then matches again with glossaries of
100 and 1,000 entries to show that matching cost follows the text, not the glossary size.

    python benchmarks/glossary_matching.py [--data ../shared/wmt23-terminology-de-en]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "translate"))  # the source root, for runs without an install

from dolmetsch.glossary.matcher import GlossaryMatcher, tokenize  # noqa: E402
from dolmetsch.glossary.model import Entry, Glossary  # noqa: E402

DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "wmt23-terminology-de-en"
SCALES = (100, 1000)
SEED = 2023
REPEATS = 3


def load(data: Path) -> tuple[list[str], list[list[dict[str, str]]]]:
    sentences = _lines(data / "deen.de")
    terms = [json.loads(line) for line in _lines(data / "deen.term.proper")]
    if len(sentences) != len(terms):
        raise SystemExit(f"{data}: {len(sentences)} sentences but {len(terms)} term lines")
    return sentences, terms


def _lines(path: Path) -> list[str]:
    """Lines split on \\n only: sentences may contain other Unicode line separators."""
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


def build_glossary(terms: list[list[dict[str, str]]]) -> Glossary:
    """One entry per distinct (de, en) pair, in order of first appearance."""
    seen: dict[tuple[str, str], Entry] = {}
    for pairs in terms:
        for pair in pairs:
            key = (pair["de"].strip(), pair["en"].strip())
            if key[0] and key not in seen:
                seen[key] = Entry(de=key[0], en=key[1], kind="term", status="approved")
    return Glossary(tuple(seen.values()))


def timed_matching(
    glossary: Glossary, sentences: list[str], repeats: int = REPEATS
) -> tuple[float, float, list]:
    """Best-of-`repeats` build and match times (a fresh matcher, so a cold word cache, each time)."""
    build_times, match_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        matcher = GlossaryMatcher(glossary)
        built = time.perf_counter()
        results = [matcher.match(sentence) for sentence in sentences]
        match_times.append(time.perf_counter() - built)
        build_times.append(built - started)
    return min(build_times), min(match_times), results


def recall(
    sentences: list[str], terms: list[list[dict[str, str]]], results: list
) -> dict[str, tuple[int, int]]:
    """Found/listed per group; `overlapped` counts misses whose words a competing (longer) entry
    matched instead — matches never overlap, so those are unavoidable with one shared glossary."""
    counts = {"all": [0, 0], "multi-word": [0, 0], "single-word": [0, 0], "overlapped": [0, 0]}
    for sentence, pairs, matches in zip(sentences, terms, results):
        found = {match.entry.de for match in matches}
        for de in {pair["de"].strip() for pair in pairs if pair["de"].strip()}:
            group = "multi-word" if len(tokenize(de)) > 1 else "single-word"
            for name in ("all", group):
                counts[name][1] += 1
                counts[name][0] += de in found
            if de not in found:
                counts["overlapped"][1] += 1
                at = sentence.find(de)
                counts["overlapped"][0] += at >= 0 and any(
                    m.start < at + len(de) and at < m.end for m in matches
                )
    return {name: (hit, total) for name, (hit, total) in counts.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WMT23 terminology de-en folder")
    args = parser.parse_args(argv)
    if not (args.data / "deen.de").is_file():
        raise SystemExit(f"{args.data}: no deen.de here (pass --data)")
    sentences, terms = load(args.data)
    glossary = build_glossary(terms)
    words = sum(len(tokenize(sentence)) for sentence in sentences)
    GlossaryMatcher(Glossary((Entry("Aufwärmen", "warm-up"),)))  # load simplemma's data once, untimed

    build_s, match_s, results = timed_matching(glossary, sentences)
    print(f"data: {args.data.resolve()}")
    print(f"sentences: {len(sentences):,}  words: {words:,}")
    print(f"glossary: {len(glossary):,} entries from {sum(map(len, terms)):,} listed pairs")
    print(
        f"build: {build_s:.2f} s   match: {match_s:.2f} s total, {1000 * match_s / len(sentences):.2f} ms/sentence"
    )
    print(f"matches: {sum(map(len, results)):,}")
    groups = recall(sentences, terms, results)
    overlapped, missed = groups.pop("overlapped")
    for name, (hit, total) in groups.items():
        print(f"recall {name:12} {hit:5,}/{total:5,} = {hit / total:6.1%}")
    print(
        f"misses: {missed:,}, of which {overlapped:,} lie under a longer overlapping match of another entry"
    )

    print(f"\nscaling (same sentences, best of {REPEATS}; ratio vs 100 entries):")
    shuffled = list(glossary)
    random.Random(SEED).shuffle(shuffled)
    rows = []
    for size in (*SCALES, len(glossary)):
        subset = Glossary(tuple(shuffled[:size]))
        _, seconds, subset_results = timed_matching(subset, sentences)
        rows.append((size, seconds, sum(map(len, subset_results))))
    baseline = rows[0][1]
    for size, seconds, found in rows:
        print(
            f"  {size:6,} entries: {seconds:6.2f} s  {1000 * seconds / len(sentences):5.2f} ms/sentence"
            f"  x{seconds / baseline:4.2f}  ({found:,} matches)"
        )
    # Same 100 real entries plus entries that never occur but share their first words with real
    # ones (so the index is walked): the matches stay the same, and so should the time.
    padded = Glossary(tuple(shuffled[: SCALES[0]]) + distractors(glossary))
    _, seconds, padded_results = timed_matching(padded, sentences)
    print(
        f"  {len(padded):6,} entries (100 real + {len(padded) - SCALES[0]:,} absent): {seconds:6.2f} s"
        f"  x{seconds / baseline:4.2f}  ({sum(map(len, padded_results)):,} matches)"
    )
    print(
        "  time follows the matches (and partial matches) in the text: entries that never occur add"
        " no per-entry work, only the walk along words they share with the text"
    )


def distractors(glossary: Glossary) -> tuple[Entry, ...]:
    """One absent entry per real one: its German form followed by a word no sentence has."""
    return tuple(Entry(f"{entry.de} Qxzv{number}", "-", kind="term") for number, entry in enumerate(glossary))


if __name__ == "__main__":
    main()
