"""CPU time per sentence of `dolmetsch serve`'s decoding path, in process (no HTTP), by thread plan.

    .venv/bin/python benchmarks/serve_decode_cpu.py                 # tiny model, glossary on and off
    .venv/bin/python benchmarks/serve_decode_cpu.py --batch 1       # one request per batch (one client)

The article's paragraphs (`examples/putin-kim.txt`, each made unique with a request number as
benchmarks/serve_vs_libretranslate.py does) are split and translated as the server's decoding thread
does it (`Backend.skeleton`, `Backend.translate`: the pipeline of `translate` with the glossary
enforced and the post-edit), `--batch` requests per batch. CPU time (user + system, every thread of
this process) per sentence is the figure: on a shared machine it moves far less than wall time.
Thread plans: `--threads 0`, dolmetsch's automatic plan (a batch per core, one thread each), and
`--threads N`, one batch at a time on N threads (what `--threads N` gives `dolmetsch serve`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "translate"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import serve_vs_libretranslate as bench  # noqa: E402  (the same model, article and unique texts)


def measure(threads: int, glossary: bool, batch: int, requests: int) -> tuple[int, float, float]:
    """(sentences, CPU ms per sentence, wall ms per sentence) for one configuration."""
    from dolmetsch.options import RunOptions
    from dolmetsch.serve.engine import Backend

    options = RunOptions(model=bench.TINY, glossary=(bench.GLOSSARY,) if glossary else None, no_glossary=not glossary, threads=threads)
    backend = Backend.load(options)
    paragraphs = bench.article_paragraphs()
    texts = [bench.unique(paragraphs[i % len(paragraphs)], 1000 + i) for i in range(requests)]
    backend.translate(backend.skeleton(bench.unique(paragraphs[0], 1)).sentences)  # warm-up
    sentences = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), batch):
        skeletons = [backend.skeleton(t) for t in texts[start : start + batch]]
        unique = list(dict.fromkeys(s for sk in skeletons for s in sk.sentences))
        done = dict(zip(unique, backend.translate(unique)))
        for sk in skeletons:
            sk.render([done[s].english for s in sk.sentences])
        sentences += len(unique)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return sentences, cpu / sentences * 1000, wall / sentences * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="0,2", help="thread plans to compare (default 0,2)")
    parser.add_argument("--batch", type=int, default=16, help="requests per batch (default 16)")
    parser.add_argument("--requests", type=int, default=48, help="requests (default 48)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each configuration once per round (default 2)")
    args = parser.parse_args(argv)
    print("| threads | glossary | batch | sentences | CPU ms/sentence | wall ms/sentence |")
    print("|---:|---|---:|---:|---:|---:|")
    for _ in range(args.rounds):
        for glossary in (True, False):
            for threads in (int(t) for t in args.threads.split(",")):
                n, cpu, wall = measure(threads, glossary, args.batch, args.requests)
                print(f"| {threads} | {'on' if glossary else 'off'} | {args.batch} | {n} | {cpu:.1f} | {wall:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
