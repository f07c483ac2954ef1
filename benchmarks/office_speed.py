"""Word and OpenDocument articles against their plain text: CPU, wall time and peak RSS of `dolmetsch translate`.

    .venv/bin/python benchmarks/office_speed.py                 # 300 sentences, DOCX and ODT, medians of 3
    .venv/bin/python benchmarks/office_speed.py --sentences 600 --repeat 1 --no-odt

Requirement: translating a DOCX costs at most 1.2× translating its plain text with the same model.

The article is made of real German sentences of the WMT 2023 test set (`../shared/wmt23-terminology-de-en/deen.de`,
read there, never copied): a heading every few paragraphs, paragraphs of 2–5 sentences, and in about a third of them
a bold or italic word or two mid-sentence, each run split per word as Word splits them (so the reader must merge
runs). python-docx writes the DOCX; LibreOffice (`soffice --headless --convert-to odt`) makes the ODT of it. The
baseline is the same paragraphs as a `.txt` (blank lines between them): the same sentences go to the model, so the
difference is what reading, merging runs, the forced alignment pass of sentences with formatting and writing the
package cost. Each run is the real CLI in a fresh process from `translation_speed.measure`'s launcher (its own peak
RSS), with fresh output folders; plain and package runs alternate, and figures are medians.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markup_speed import WMT23, cli, median, resolve_model, run_once

TARGET = 1.2


def article(german: list[str], count: int, seed: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Blocks as (style, runs): runs are (text, "" | "b" | "i"), split per word where formatted."""
    chance = random.Random(seed)
    start = chance.randrange(max(1, len(german) - count))
    sentences = german[start : start + count]
    blocks, position = [], 0
    while position < len(sentences):
        if len(blocks) % 6 == 0:
            blocks.append(("Heading 2", [(" ".join(sentences[position].split()[:6]), "")]))
        size = chance.randint(2, 5)
        text = " ".join(sentences[position : position + size])
        position += size
        words = text.split(" ")
        if chance.random() < 1 / 3 and len(words) > 6:
            at = chance.randrange(1, len(words) - 3)
            width, mark = chance.randint(1, 2), chance.choice("bi")
            runs = [(" ".join(words[:at]) + " ", "")]
            runs += [(word + (" " if k < width - 1 else ""), mark) for k, word in enumerate(words[at : at + width])]
            runs.append((" " + " ".join(words[at + width :]), ""))
        else:
            runs = [(word + " ", "") for word in words[:-1]] + [(words[-1], "")]  # Word's run per word
        blocks.append(("Normal", runs))
    return blocks


def write_docx(blocks, path: Path) -> None:
    import docx  # python-docx, from the test extra

    document = docx.Document()
    for style, runs in blocks:
        paragraph = document.add_paragraph(style=style)
        for text, mark in runs:
            run = paragraph.add_run(text)
            run.bold, run.italic = (mark == "b") or None, (mark == "i") or None
    document.save(path)


def write_text(blocks, path: Path) -> None:
    path.write_text("\n\n".join("".join(text for text, _ in runs) for _, runs in blocks) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default="tiny", help="tiny (default), base, or a path to an .argosmodel")
    parser.add_argument("--data", type=Path, default=WMT23)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--no-odt", action="store_true", help="DOCX only (no LibreOffice)")
    args = parser.parse_args()
    source = args.data / "deen.de" if args.data.is_dir() else args.data
    if not source.is_file():
        raise SystemExit(f"no German sentences at {source}")
    german = [line.strip() for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    model = resolve_model(args.model)
    cli()  # fails early without the command
    with tempfile.TemporaryDirectory(prefix="office-speed-") as folder:
        root = Path(folder)
        blocks = article(german, args.sentences, args.seed)
        files = {"plain": root / "artikel.txt", "docx": root / "artikel.docx"}
        write_text(blocks, files["plain"])
        write_docx(blocks, files["docx"])
        if not args.no_odt and shutil.which("soffice"):
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{root}/lo", "--convert-to", "odt",
                            "--outdir", str(root), str(files["docx"])], check=True, capture_output=True, timeout=300)
            files["odt"] = root / "artikel.odt"
        env = {**__import__("os").environ, "XDG_CACHE_HOME": str(root / "cache")}
        for kind, path in files.items():  # warm the caches (sentence memo, glossary index) once, unmeasured
            run_once(path, model, root / f"warm-{kind}", env, False)
        records: dict[str, list[dict]] = {kind: [] for kind in files}
        for _ in range(args.repeat):
            for kind, path in files.items():
                records[kind].append(run_once(path, model, root / f"run-{kind}", env, False))
        formatted = sum(1 for _, runs in blocks if any(mark for _, mark in runs))
        print(f"{args.sentences} sentences in {len(blocks)} blocks, {formatted} paragraphs with bold or italic mid-sentence; "
              f"model {model.name}, medians of {args.repeat}")
        print("| kind | CPU s | wall s | peak RSS MB | CPU / plain | wall / plain |")
        print("|---|---:|---:|---:|---:|---:|")
        base_cpu, base_wall = median(records["plain"], "cpu_s"), median(records["plain"], "wall_s")
        for kind, runs in records.items():
            cpu, wall = median(runs, "cpu_s"), median(runs, "wall_s")
            print(f"| {kind} | {cpu:.2f} | {wall:.2f} | {median(runs, 'rss_mb'):.0f} | {cpu / base_cpu:.2f} | {wall / base_wall:.2f} |")
        docx_ratio = median(records["docx"], "cpu_s") / base_cpu
        verdict = "meets" if docx_ratio <= TARGET else "misses"
        print(f"DOCX / plain CPU {docx_ratio:.2f}: {verdict} the {TARGET}× target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
