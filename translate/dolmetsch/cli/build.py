"""`dolmetsch build`: the reviewed view of an article, from its PO catalogue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import check_summary, reported_errors


def build_command(
    source: str = typer.Argument(..., help="The German article the PO was made from.", metavar="SOURCE"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the English (S.en.txt, .html, .md, .docx or .odt, as the source), S.de-en.tsv, S.de-en.md and S.de-en.tmx."),
    locales: Path = typer.Option(Path("locales"), "--locales", help="gettext tree holding en/LC_MESSAGES/S.po."),
    name: Optional[str] = typer.Option(None, "--name", help="Output stem [default: the source file name without extension]."),
    include_drafts: bool = typer.Option(False, "--all", help="Put fuzzy drafts into the TMX too (reviewed entries only by default)."),
    strict: bool = typer.Option(False, "--strict", help="Refuse fuzzy entries: exit 1 and write nothing."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary file or folder whose terms the review page marks and checks (repeatable) [default: ./glossary/ when it exists]."),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="A review page without glossary terms."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
) -> None:
    """Write the final English, bitext, side-by-side view, review page and TMX from the reviewed PO.

    `translate` writes the machine view; `build` writes what the reviewers made of it. Fuzzy
    entries are used (and counted) unless --strict. A translation whose placeholders do not pair up
    with the German's inline markup is refused, naming its PO line, and nothing is written.
    """
    # the formats load on use, so --help stays instant (see the module docstring of dolmetsch.cli)
    from dolmetsch.api import build_files

    with reported_errors():
        results = build_files(
            [source], out_dir=out, locales_dir=locales, name=name, include_drafts=include_drafts, strict=strict,
            glossary=glossary, no_glossary=no_glossary,
        )
    if quiet:
        return
    for result in results:
        for path in result.written:
            sys.stderr.write(f"wrote {path}\n")
        total = len(result.translated.segments)
        sys.stderr.write(f"{result.translated.document.name}: {total} segments, {result.drafts} fuzzy draft(s) used\n")
        bitext = next((p for p in result.written if p.name.endswith(".de-en.tsv")), None)
        if bitext is not None:
            sys.stderr.write(f"checks: {check_summary(bitext)}\n")


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
