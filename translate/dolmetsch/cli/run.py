"""`dolmetsch translate`: the main job, an article in, English + bitext + PO out."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import DEFAULT_GLOSSARY_DIR, reported_errors


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


PROGRESS_MIN_SEGMENTS = 40


def translate_command(
    source: str = typer.Argument(..., help="German text file, or - for standard input.", metavar="SOURCE"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for S.en.txt, S.de-en.tsv and S.de-en.md [default: out]."),
    locales: Optional[Path] = typer.Option(None, "--locales", help="gettext tree for en/LC_MESSAGES/S.po [default: locales]."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="An .argosmodel file or an unpacked package folder [default: the installed de→en package]."),
    offline: bool = typer.Option(False, "--offline", help="Never contact the package index."),
    name: Optional[str] = typer.Option(None, "--name", help="Output stem [default: the source file name without extension; 'stdin' for -]."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary TSV file or folder (repeatable) [default: ./glossary/ when it exists]."),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Translate without any glossary."),
    beam: int = typer.Option(4, "--beam", min=1, max=32, help="Beam size (1 = greedy)."),
    device: Device = typer.Option(Device.cpu, "--device", help="Where to decode."),
    threads: int = typer.Option(0, "--threads", min=0, help="CPU threads (0 = CTranslate2's default)."),
    compute_type: str = typer.Option("default", "--compute-type", help="CTranslate2 compute type: default, int8, int8_float32, float32, float16, …"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
) -> None:
    """Translate a German article into English, sentence by sentence, keeping its blocks.

    Writes OUT/S.en.txt, OUT/S.de-en.tsv, OUT/S.de-en.md and LOCALES/en/LC_MESSAGES/S.po.
    With SOURCE '-', the English goes to standard output, the text outputs only with -o and the PO only with --locales.
    """
    from dolmetsch.document.reading import read_document
    from dolmetsch.engine.engine import DecodingOptions, Engine
    from dolmetsch.outputs.text import render_text
    from dolmetsch.outputs.writer import OutputPaths, preflight, write_outputs
    from dolmetsch.packages.resolve import resolve_model

    from_stdin = source == "-"
    if not from_stdin:
        out, locales = out or Path("out"), locales or Path("locales")
    with reported_errors():
        document = read_document(source, name=name)
        glossary_paths = _glossary_paths(glossary, no_glossary)
        enforcer = _enforcer(glossary_paths)
        paths = OutputPaths.for_document(document.name, out, locales, with_glossary=enforcer is not None)
        preflight(paths)
        package = resolve_model(model, offline=offline)
        engine = Engine.load(
            package,
            device=device.value,
            threads=threads,
            compute_type=compute_type,
            options=DecodingOptions(beam_size=beam),
        )
        translated = _run(document, engine, enforcer=enforcer, quiet=quiet)
        written = write_outputs(translated, paths)
    if from_stdin:
        sys.stdout.write(render_text(translated))
    if not quiet:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        if enforcer is not None:
            from dolmetsch.outputs.glossary_report import render_table

            console.print(render_table(translated))
            names = ", ".join(str(p) for p in glossary_paths)
            console.print(f"glossary: {names} ({len(enforcer.glossary)} approved entries)")
        for path in written:
            console.print(f"wrote {path}")
        console.print(f"{document.name}: {translated.stats.summary()}")


def _glossary_paths(given: list[Path] | None, disabled: bool) -> list[Path]:
    """--glossary wins; otherwise a ./glossary/ folder applies, as a project's curated terms should."""
    if disabled:
        return []
    if given:
        return list(given)
    if DEFAULT_GLOSSARY_DIR.is_dir() and any(DEFAULT_GLOSSARY_DIR.glob("*.tsv")):
        return [DEFAULT_GLOSSARY_DIR]
    return []


def _enforcer(paths: list[Path]):
    if not paths:
        return None
    from dolmetsch.errors import InputError
    from dolmetsch.glossary.checks import require_valid
    from dolmetsch.glossary.enforce import GlossaryEnforcer
    from dolmetsch.glossary.model import Glossary

    for path in paths:
        if not path.exists():
            raise InputError(path, "no such glossary file or folder")
    glossary = Glossary.load(paths)
    require_valid(glossary)
    return GlossaryEnforcer(glossary.approved())


def _run(document, engine, *, enforcer, quiet: bool):
    from dolmetsch.translation import translate_document

    total = len(document.segments())
    if quiet or total < PROGRESS_MIN_SEGMENTS:
        return translate_document(document, engine, enforcer=enforcer)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as progress:
        task = progress.add_task("translate", total=total)
        return translate_document(document, engine, enforcer=enforcer, on_progress=lambda n: progress.advance(task, n))


def register(app: typer.Typer) -> None:
    app.command("translate")(translate_command)
