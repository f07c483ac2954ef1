"""`dolmetsch check`: run the review checks over PO catalogues or bitext files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import fail, reported_errors
from dolmetsch.errors import InputError

EXIT_FINDINGS = 1
FILES_NAMED_IN_SUMMARY = 3


CATALOGUE_PATTERN = "*.po"


class FindingsStyle(str, Enum):
    """How findings are printed (`--format`)."""

    text = "text"
    json = "json"


def check_command(
    files: Optional[list[Path]] = typer.Argument(
        None, help="PO catalogues (reviewer-edited too), .de-en.tsv bitext files, or folders holding *.po.", metavar="FILE|FOLDER..."
    ),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary file or folder (repeatable) [default: ./glossary/]."),
    only: Optional[list[str]] = typer.Option(None, "--check", "-c", help="Run only this check (repeatable); see --list."),
    list_checks: bool = typer.Option(False, "--list", help="List the checks and exit."),
    style: FindingsStyle = typer.Option(FindingsStyle.text, "--format", help="text: file:line: level check: message; json: one object per line."),
    warnings_as_errors: bool = typer.Option(False, "--warnings-as-errors", help="Exit 1 for warnings too."),
) -> None:
    """Print one line per problem found and a summary on stderr; exit 1 if there is an error."""
    # stages load on use: the matcher brings in simplemma (see the module docstring of dolmetsch.cli)
    from dolmetsch.checks import CHECKS, CheckContext, check_files, has_errors, select_checks, summarise
    from dolmetsch.glossary.loading import applicable_glossaries, load_glossary
    from dolmetsch.glossary.matcher import GlossaryMatcher
    from dolmetsch.output import read_segments

    if list_checks:
        for check in CHECKS:
            typer.echo(f"{check.name}: {check.description}")
        return
    if not files:
        raise fail("check: give at least one FILE (a .po catalogue or a .de-en.tsv bitext) or a folder of catalogues")
    try:
        checks = select_checks(only)
    except KeyError as exc:
        raise fail(f"--check: unknown check {exc.args[0]!r} (known: {', '.join(c.name for c in CHECKS)})") from None
    with reported_errors():
        paths = applicable_glossaries(glossary)
        if not paths and all(c.needs_glossary for c in checks):
            raise fail("no glossary: give --glossary FILE_OR_FOLDER, or run where ./glossary/ holds *.tsv files")
        inputs = expand_paths(files)
        segments = [read_segments(path) for path in inputs]
        matcher = GlossaryMatcher(load_glossary(paths).approved()) if paths else None
        findings = check_files(segments, CheckContext(glossary=matcher), checks)
    for finding in findings:
        typer.echo(json.dumps(finding.as_json(), ensure_ascii=False) if style is FindingsStyle.json else str(finding))
    skipped = [c.name for c in checks if c.needs_glossary and matcher is None]
    if skipped:
        sys.stderr.write(f"skipped without a glossary: {', '.join(skipped)}\n")
    checked = ", ".join(map(str, inputs)) if len(inputs) <= FILES_NAMED_IN_SUMMARY else f"{len(inputs)} files"
    sys.stderr.write(f"{checked}: {summarise(findings, [s for file in segments for s in file])}\n")
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings, warnings_as_errors=warnings_as_errors) else 0)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for every catalogue under it (hidden folders skipped), sorted."""
    expanded: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            expanded.append(path)
            continue
        found = sorted(
            p for p in path.rglob(CATALOGUE_PATTERN)
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            raise InputError(path, f"no {CATALOGUE_PATTERN} catalogue in this folder")
        expanded.extend(found)
    return expanded


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
