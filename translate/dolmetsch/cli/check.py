"""`dolmetsch check`: find segments of a PO catalogue or bitext that break the glossary."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import DEFAULT_GLOSSARY_DIR, reported_errors


def check_command(
    files: list[Path] = typer.Argument(..., help="PO catalogues (reviewer-edited too) or .de-en.tsv bitext files.", metavar="FILE..."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary TSV file or folder (repeatable) [default: ./glossary/]."),
) -> None:
    """List segments whose English misses a glossary rendering or uses a forbidden variant; exit 1 if any."""
    from dolmetsch.glossary.matcher import GlossaryMatcher
    from dolmetsch.glossary.model import Glossary
    from dolmetsch.review.checks import glossary_violations
    from dolmetsch.review.segments import read_segments

    with reported_errors():
        matcher = GlossaryMatcher(Glossary.load(glossary or [DEFAULT_GLOSSARY_DIR]).approved())
        findings = [f for path in files for f in glossary_violations(read_segments(path), matcher)]
    for finding in findings:
        typer.echo(str(finding))
    checked = ", ".join(str(p) for p in files)
    typer.echo(f"{len(findings)} glossary problem(s) in {checked}", err=True)
    raise typer.Exit(1 if findings else 0)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
