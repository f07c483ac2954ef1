"""A newsroom batch: 1,000 short documents, first run and unchanged re-run, against an earlier revision.

    .venv/bin/python benchmarks/many_documents.py                        # against 75c9161, 1,000 documents
    .venv/bin/python benchmarks/many_documents.py --baseline HEAD~5 --documents 200 --runs 3

The documents are cut from the WMT 2023 test set (`../shared/wmt23-terminology-de-en/deen.de`,
read there, never copied), `--sentences` consecutive sentences each, written as `doc-NNNN.txt` into
one folder. Two contestants run the real `dolmetsch translate FOLDER --model tiny --offline -q`
with the bundled glossary, each in a fresh process:

  current    this working tree's code
  baseline   the code of `--baseline` (default 75c9161), unpacked from git into a scratch folder;
             it runs on the same interpreter and packages (an old revision may want a package this
             one dropped: snowballstemmer for 75c9161)

The user cache (word-form index, compiled template) is warmed by a run on two other documents
first, as it is on any machine after its first run. Then, for each: the first run of the batch
(everything decoded), then a re-run on the same folders that finds nothing
new, and a third run that finds every output as the re-run left it. Each process wraps
ctranslate2.Translator (benchmarks/translation_speed.py's counter) to time its decoding, so "beyond decoding" is wall time minus time spent in the decoder; peak RSS is the
process's own high-water mark (VmHWM, read at exit), which a forked child cannot inherit from a
large parent; CPU time is user + system of the process and its children. Figures are medians of
`--runs` interleaved runs, and the ratios are current / baseline from the same run.

Time in the decoder is the time the process waits for a result and the time queueing a batch
(`translate_batch(asynchronous=True)`) blocks: CTranslate2's queue is bounded, so a run that queues
all its batches at once waits there while the decoder works through them. CPU beyond decoding is
the CPU time of the main thread (and of child processes): CTranslate2 decodes on threads of its
own, so this figure leaves decoding out however loaded the machine is.

`--current REVISION` measures a git revision in place of the working tree (the figures of a
revision before a change, against the same baseline, with the same benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
WMT23 = ROOT.parent / "shared" / "wmt23-terminology-de-en"
THIS = Path(__file__).resolve()
DEFAULT_BASELINE = "75c9161"
PHASES = ("first run", "re-run", "settled re-run")
"""The re-run finds every output as the first run wrote it (at 75c9161 it still rewrote the bitext
and the review page, its machine output read back as drafts); the settled re-run is a third run."""


def own_peak_mb() -> float:
    """This process's own peak resident set (VmHWM), which exec resets and fork does not pass on."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(tree: Path, result: Path, argv: list[str]) -> int:
    """Run `dolmetsch ARGV` from `tree`'s source in this process, decoding timed; write the figures."""
    started = time.perf_counter()
    sys.path.insert(0, str(THIS.parent))
    from translation_speed import install_counter  # puts this checkout's source root first on sys.path …

    sys.path.insert(0, str(tree / "translate"))  # … so the contestant's goes before it, after the import
    stats = install_counter(None)
    time_queueing(stats)
    from dolmetsch.cli import main

    if not Path(sys.modules["dolmetsch"].__file__).is_relative_to(tree / "translate"):
        raise SystemExit(f"dolmetsch was imported from {sys.modules['dolmetsch'].__file__}, not from {tree}")

    sys.argv = ["dolmetsch", *argv]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    stats.update(
        wall_s=time.perf_counter() - started,
        cpu_s=own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
        cpu_beyond_s=time.thread_time() + children.ru_utime + children.ru_stime,
        rss_mb=own_peak_mb(),
        exit=code,
    )
    result.write_text(json.dumps(stats), encoding="utf-8")
    return 0


def time_queueing(stats: dict) -> None:
    """Count the time `translate_batch(asynchronous=True)` blocks as decoding (`queue_s`): the queue
    is bounded, so queueing waits while the decoder works (see the module docstring)."""
    import ctranslate2

    counting = ctranslate2.Translator
    stats["queue_s"] = 0.0

    class QueueTimed(counting):
        def translate_batch(self, *args, **kwargs):
            if not kwargs.get("asynchronous"):
                return super().translate_batch(*args, **kwargs)
            started = time.perf_counter()
            try:
                return super().translate_batch(*args, **kwargs)
            finally:
                stats["queue_s"] += time.perf_counter() - started

    ctranslate2.Translator = QueueTimed


def write_documents(folder: Path, data: Path, count: int, per_document: int) -> int:
    german = (data / "deen.de").read_text(encoding="utf-8").splitlines()
    folder.mkdir(parents=True)
    for number in range(count):
        start = (number * per_document) % max(1, len(german) - per_document)
        text = " ".join(german[start : start + per_document])
        (folder / f"doc-{number:04d}.txt").write_text(text + "\n", encoding="utf-8")
    return count


def unpack_revision(revision: str, into: Path) -> Path:
    """The `translate/` tree of `revision`, from git, in a scratch folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision, "translate"],
                             check=True, capture_output=True).stdout
    into.mkdir(parents=True)
    archive_path = into / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(into)
    archive_path.unlink()
    return into


def run_once(tree: Path, documents: Path, out: Path, locales: Path, cache: Path) -> dict:
    result = out.parent / f"{out.name}.result.json"
    argv = ["translate", str(documents), "--model", str(TINY), "--offline", "-q", "--glossary", str(ROOT / "glossary"),
            "-o", str(out), "--locales", str(locales)]
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH="")
    done = subprocess.run([sys.executable, str(THIS), "--worker", str(tree), str(result), "--", *argv],
                          env=env, cwd=documents.parent, capture_output=True, text=True)
    if done.returncode or not result.exists():
        raise SystemExit(f"{tree}: the run failed:\n{done.stderr[-2000:]}")
    figures = json.loads(result.read_text(encoding="utf-8"))
    result.unlink()
    if figures["exit"] not in (0,):
        raise SystemExit(f"{tree}: dolmetsch exited {figures['exit']}:\n{done.stderr[-2000:]}")
    return figures


def median(records: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision to compare with (default %(default)s)")
    parser.add_argument("--current", help="git revision to measure instead of the working tree")
    parser.add_argument("--data", type=Path, default=WMT23, help="the WMT 2023 folder (default %(default)s)")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--sentences", type=int, default=3, help="sentences per document")
    parser.add_argument("--runs", type=int, default=1, help="interleaved repetitions (medians are reported)")
    parser.add_argument("--worker", nargs=2, metavar=("TREE", "RESULT"), help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(Path(args.worker[0]), Path(args.worker[1]), args.rest)

    with tempfile.TemporaryDirectory(prefix="dolmetsch-many-") as scratch:
        scratch = Path(scratch)
        current = unpack_revision(args.current, scratch / "current-tree") if args.current else ROOT
        trees = {"current": current, "baseline": unpack_revision(args.baseline, scratch / "baseline-tree")}
        records = measure(trees, args, scratch)
    report(records, args)
    return 0


def measure(trees: dict[str, Path], args, scratch: Path) -> dict[tuple[str, str], list[dict]]:
    """Every phase of every run of every contestant, interleaved run by run."""
    documents = scratch / "documents"
    write_documents(documents, args.data, args.documents, args.sentences)
    warmup = scratch / "warmup"
    write_documents(warmup, args.data, 2, args.sentences)
    for name, tree in trees.items():  # word-form index and compiled template built once per machine, not counted
        run_once(tree, warmup, scratch / f"warmup-{name}" / "out", scratch / f"warmup-{name}" / "locales", scratch / f"cache-{name}")
    records: dict[tuple[str, str], list[dict]] = {}
    for run in range(args.runs):
        for name, tree in trees.items():
            work = scratch / f"{name}-{run}"
            cache = work / "cache"  # as the warm-up left it, in every run: no run finds what an earlier one remembered
            shutil.copytree(scratch / f"cache-{name}", cache, symlinks=True)
            out, locales = work / "out", work / "locales"
            for phase in PHASES:
                figures = run_once(tree, documents, out, locales, cache)
                figures["decoder_s"] = figures["decode_s"] + figures["queue_s"]
                figures["beyond_s"] = figures["wall_s"] - figures["decoder_s"]
                figures["beyond_results_s"] = figures["wall_s"] - figures["decode_s"]
                records.setdefault((name, phase), []).append(figures)
                print(f"{name:9} {phase:9} run {run + 1}: {figures['wall_s']:7.2f} s wall, {figures['decoder_s']:6.2f} s "
                      f"decoding, {figures['cpu_beyond_s']:6.2f} s CPU beyond decoding, {figures['translators']} model loads, "
                      f"{figures['rss_mb']:.0f} MB", file=sys.stderr)
            shutil.rmtree(work)
    return records


def report(records: dict[tuple[str, str], list[dict]], args) -> None:
    print(f"\n{args.documents} documents of {args.sentences} WMT 2023 sentences, tiny model, bundled glossary; "
          f"current {args.current or 'working tree'}, baseline {args.baseline}; medians of {args.runs} run(s)\n")
    print("| phase | contestant | wall | decoding | beyond decoding | CPU | CPU beyond decoding | model loads | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for phase in PHASES:
        for name in ("baseline", "current"):
            r = records[(name, phase)]
            print(f"| {phase} | {name} | {median(r, 'wall_s'):.2f} s | {median(r, 'decoder_s'):.2f} s | "
                  f"{median(r, 'beyond_s'):.2f} s | {median(r, 'cpu_s'):.2f} s | {median(r, 'cpu_beyond_s'):.2f} s | "
                  f"{max(x['translators'] for x in r)} | {median(r, 'rss_mb'):.0f} MB |")
    print()
    ratio = lambda phase, key: median(records[("current", phase)], key) / median(records[("baseline", phase)], key)  # noqa: E731
    print(f"- unchanged re-run, current / baseline: wall {ratio('re-run', 'wall_s'):.2f}, CPU {ratio('re-run', 'cpu_s'):.2f} (target ≤ 0.10)")
    print(f"- settled re-run (a third run: nothing decoded, nothing new), current / baseline: wall "
          f"{ratio('settled re-run', 'wall_s'):.2f}, CPU {ratio('settled re-run', 'cpu_s'):.2f}")
    print(f"- first run beyond decoding, current / baseline: wall {ratio('first run', 'beyond_s'):.2f}, "
          f"CPU {ratio('first run', 'cpu_beyond_s'):.2f} (target ≤ 0.50); wall with only the waits on results "
          f"counted as decoding: {ratio('first run', 'beyond_results_s'):.2f}")
    print(f"- peak RSS, first run, current / baseline: {ratio('first run', 'rss_mb'):.2f} (target ≤ 1.00)")
    pairs = list(zip(records[("current", "first run")], records[("baseline", "first run")]))
    if len(pairs) > 1:  # how much the figures move from run to run
        beyond = ", ".join(f"{c['beyond_s'] / b['beyond_s']:.2f}" for c, b in pairs)
        cpu = ", ".join(f"{c['cpu_beyond_s'] / b['cpu_beyond_s']:.2f}" for c, b in pairs)
        rss = ", ".join(f"{c['rss_mb'] / b['rss_mb']:.2f}" for c, b in pairs)
        print(f"- first run, run by run: beyond decoding wall {beyond}; CPU {cpu}; peak RSS {rss}")


if __name__ == "__main__":
    sys.exit(main())
