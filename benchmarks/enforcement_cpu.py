"""CPU time per sentence of glossary enforcement, this tree against another one, in the same run.

    git worktree add /tmp/enf-base <commit>
    .venv/bin/python benchmarks/enforcement_cpu.py --base /tmp/enf-base
    .venv/bin/python benchmarks/enforcement_cpu.py --base /tmp/enf-base --model ~/.cache/dolmetsch-bench/translate-de_en-base-random

Each tree translates the article's running-text sentences (`examples/putin-kim.txt`, each made unique
per round as benchmarks/serve_vs_libretranslate.py does) with the glossary (`glossary/`) through
`translate_document`, the path `dolmetsch serve` decodes a batch on, in a child process whose
`PYTHONPATH` is that tree's `translate/`. The figure is the child's CPU time (user + system, every
thread) per sentence, which a shared machine moves far less than wall time; trees alternate, and the
median of `--runs` children each is printed with the ratio. Each child also reports how many matched
terms came out satisfied and a digest of its English and term outcomes, to show what changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
ARTICLE = ROOT / "examples" / "putin-kim.txt"
GLOSSARY = ROOT / "glossary"
SENTENCE_END = re.compile(r"(?<=[\w“”\"])([.!?])(?=[“”\"]?(?:\s|$))")


def article_sentences() -> list[str]:
    """The running-text sentences of the article (paragraphs, not titles, captions or credits)."""
    from dolmetsch.document.sentences import split_sentences

    blocks = [b.strip() for b in re.split(r"\n\s*\n", ARTICLE.read_text(encoding="utf-8"))]
    paragraphs = [b for b in blocks if "\n" not in b and len(b) > 120 and b[-1] in ".!?“\""]
    return [p[a:b] for p in paragraphs for a, b in split_sentences(p)]


def child(args: argparse.Namespace) -> None:
    """Translate the sentences `--rounds` times with the glossary; print one JSON line of figures."""
    from dolmetsch.document.blocks import parse_blocks
    from dolmetsch.engine.engine import Engine
    from dolmetsch.enforce.strategies import GlossaryEnforcer
    from dolmetsch.glossary import load_glossary
    from dolmetsch.models.resolve import resolve_model
    from dolmetsch.pipeline import translate_document

    engine = Engine.load(resolve_model(Path(args.model), offline=True), threads=args.threads)
    enforcer = GlossaryEnforcer(load_glossary(GLOSSARY).approved())
    sentences = article_sentences()

    def document(number: int):
        text = "\n\n".join(SENTENCE_END.sub(lambda m: f" ({number}){m.group(1)}", s) for s in sentences)
        return parse_blocks(text, source="bench.txt", name="bench", encoding="utf_8")

    translate_document(document(0), engine, enforcer=enforcer)  # warm-up: one-off allocations
    documents = [document(n) for n in range(1, args.rounds + 1)]  # read before the clock starts
    cpu, wall, done = time.process_time(), time.perf_counter(), None
    for doc in documents:
        done = translate_document(doc, engine, enforcer=enforcer)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    terms = [t for s in done.segments for t in s.terms]
    outcome = json.dumps([(s.english, [(t.found, t.how) for t in s.terms]) for s in done.segments], ensure_ascii=False)
    print(json.dumps({
        "module": __import__("dolmetsch").__file__,
        "sentences": len(sentences),
        "cpu_ms": cpu / args.rounds / len(sentences) * 1000,
        "wall_ms": wall / args.rounds / len(sentences) * 1000,
        "matched": len(terms),
        "satisfied": sum(t.how != "missing" for t in terms),
        "digest": hashlib.sha256(outcome.encode()).hexdigest()[:12],
        "english": [s.english for s in done.segments],
    }))


def run_child(tree: Path, args: argparse.Namespace) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree / "translate"))
    command = [sys.executable, __file__, "--child", "--model", str(args.model), "--rounds", str(args.rounds), "--threads", str(args.threads)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    if not found["module"].startswith(str(tree)):
        raise SystemExit(f"the child for {tree} imported {found['module']}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required="--child" not in (argv or sys.argv), help="the tree to compare against")
    parser.add_argument("--model", default=str(TINY))
    parser.add_argument("--rounds", type=int, default=5, help="translations of the article per child (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="children per tree, alternating (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="the engine's --threads (default 1: one decoding thread)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    trees = {"base": args.base.resolve(), "this": ROOT}
    found: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            found[name].append(run_child(tree, args))
    base, this = (statistics.median(r["cpu_ms"] for r in found[name]) for name in trees)
    print(f"model: {args.model}; {found['this'][0]['sentences']} sentences × {args.rounds} rounds × {args.runs} runs, threads {args.threads}")
    print("| tree | CPU ms/sentence (median) | wall ms/sentence | satisfied/matched | digest |")
    print("|---|---:|---:|---:|---|")
    for name, tree in trees.items():
        last = found[name][-1]
        wall = statistics.median(r["wall_ms"] for r in found[name])
        cpu = statistics.median(r["cpu_ms"] for r in found[name])
        print(f"| {name} ({tree}) | {cpu:.2f} | {wall:.2f} | {last['satisfied']}/{last['matched']} | {last['digest']} |")
    print(f"CPU ratio base/this: {base / this:.2f}x")
    changed = [(a, b) for a, b in zip(found["base"][-1]["english"], found["this"][-1]["english"]) if a != b]
    print(f"sentences whose English differs: {len(changed)}")
    for a, b in changed:
        print(f"  - {a}\n  + {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
