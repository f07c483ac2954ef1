"""Glossary enforcement overhead: the same article translated with and without the glossary, same run.

    python benchmarks/glossary_enforcement.py [--model FILE_OR_DIR] [--source FILE] [--glossary PATH] [--repeat N]

Prints the median time of each, their ratio, and how many matched terms each strategy satisfied.
Defaults: the bundled article, glossary/, and the tiny test model (pass --model for the real one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "translate"))  # the source root, for runs without an install

from dolmetsch.document.reading import read_document  # noqa: E402
from dolmetsch.engine.engine import DecodingOptions, Engine  # noqa: E402
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.translation import STRATEGIES
from dolmetsch.glossary import load_glossary  # noqa: E402
from dolmetsch.models.resolve import resolve_model  # noqa: E402
from dolmetsch.pipeline import translate_document  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel")
    parser.add_argument("--source", default=str(ROOT / "examples" / "putin-kim.txt"))
    parser.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    document = read_document(args.source)
    engine = Engine.load(resolve_model(args.model, offline=True), options=DecodingOptions(beam_size=args.beam))
    enforcer = GlossaryEnforcer(load_glossary(args.glossary).approved())
    translate_document(document, engine)  # warm-up: first call pays one-off allocations

    plain, enforced = [], []
    result = None
    for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
        started = time.perf_counter()
        translate_document(document, engine)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = translate_document(document, engine, enforcer=enforcer)
        enforced.append(time.perf_counter() - started)

    counts = Counter(t.how for s in result.segments for t in s.terms)
    matched = sum(counts.values())
    segments_with_terms = sum(1 for s in result.segments if s.terms)
    print(f"source: {args.source} ({len(result.segments)} segments, {segments_with_terms} with glossary terms)")
    print(f"model: {engine.package.name}, beam {args.beam}, {args.repeat} runs each (median)")
    print(f"without glossary: {statistics.median(plain):.3f} s")
    print(f"with glossary:    {statistics.median(enforced):.3f} s")
    print(f"overhead ratio:   {statistics.median(enforced) / statistics.median(plain):.2f}x")
    print(f"matched terms: {matched}, satisfied: {matched - counts['MISSING']} ({100 * (matched - counts['MISSING']) / max(matched, 1):.1f} %)")
    for name in STRATEGIES:
        print(f"  {name:<9} {counts[name]}")


if __name__ == "__main__":
    main()
