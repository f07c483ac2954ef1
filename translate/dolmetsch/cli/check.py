"""`dolmetsch check`: run the review checks over PO catalogues or bitext files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import fail, reported_errors

EXIT_FINDINGS = 1


def check_command(
    files: Optional[list[Path]] = typer.Argument(None, help="PO catalogues (reviewer-edited too) or .de-en.tsv bitext files.", metavar="FILE..."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary file or folder (repeatable) [default: ./glossary/]."),
    only: Optional[list[str]] = typer.Option(None, "--check", "-c", help="Run only this check (repeatable); see --list."),
    list_checks: bool = typer.Option(False, "--list", help="List the checks and exit."),
) -> None:
    """Print `file:line: level check: message` for each problem found; exit 1 if there is any."""
    # stages load on use: the matcher brings in simplemma (see the module docstring of dolmetsch.cli)
    from dolmetsch.checks import CHECKS, CheckContext, run_checks, select_checks
    from dolmetsch.formats import read_segments
    from dolmetsch.glossary.loading import applicable_glossaries, load_glossary
    from dolmetsch.glossary.matcher import GlossaryMatcher

    if list_checks:
        for check in CHECKS:
            typer.echo(f"{check.name}: {check.description}")
        return
    if not files:
        raise fail("check: give at least one FILE (a .po catalogue or a .de-en.tsv bitext)")
    try:
        checks = select_checks(only)
    except KeyError as exc:
        raise fail(f"--check: unknown check {exc.args[0]!r} (known: {', '.join(c.name for c in CHECKS)})") from None
    with reported_errors():
        paths = applicable_glossaries(glossary)
        if not paths and all(c.needs_glossary for c in checks):
            raise fail("no glossary: give --glossary FILE_OR_FOLDER, or run where ./glossary/ holds *.tsv files")
        matcher = GlossaryMatcher(load_glossary(paths).approved()) if paths else None
        context = CheckContext(glossary=matcher)
        findings = [f for path in files for f in run_checks(read_segments(path), context, checks)]
    for finding in findings:
        typer.echo(str(finding))
    skipped = [c.name for c in checks if c.needs_glossary and matcher is None]
    if skipped:
        sys.stderr.write(f"skipped without a glossary: {', '.join(skipped)}\n")
    checked = ", ".join(str(p) for p in files)
    sys.stderr.write(f"{len(findings)} problem(s) in {checked}\n")
    raise typer.Exit(EXIT_FINDINGS if findings else 0)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
