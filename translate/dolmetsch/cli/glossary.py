"""`dolmetsch glossary …`: lint glossaries and convert them to and from TBX."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import typer

from dolmetsch.cli.common import fail, reported_errors
from dolmetsch.glossary import load_glossary
from dolmetsch.glossary.checks import check, errors, require_valid
from dolmetsch.glossary.tbx import read_tbx, write_tbx
from dolmetsch.glossary.tsv import write_tsv

app = typer.Typer(help="Check glossaries and convert them to and from TBX.")

EXIT_PROBLEMS = 1


@app.command("check")
def check_command(
    files: List[Path] = typer.Argument(..., help="Glossary TSV files or directories of them."),
) -> None:
    """Print `file:line: message` per problem; exit 1 if any is an error, 2 if a file is unreadable."""

    with reported_errors():
        glossary = load_glossary(files)
    problems = check(glossary)
    for problem in problems:
        typer.echo(str(problem))
    found_errors = errors(problems)
    sys.stderr.write(
        f"{len(glossary)} entries, {len(found_errors)} errors, {len(problems) - len(found_errors)} warnings\n"
    )
    if found_errors:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command("export")
def export_command(
    source: Path = typer.Argument(..., help="Glossary TSV file (or directory)."),
    output: Path = typer.Option(..., "-o", "--output", help="TBX file to write."),
    tbx_version: int = typer.Option(
        3, "--tbx-version", help="3: TBX-Basic v3 (ISO 30042:2019); 2: TBX 2008 <martif>."
    ),
) -> None:
    """Write the glossary as TBX; nothing is written if it does not pass `glossary check`."""

    if tbx_version not in (2, 3):
        raise fail(f"--tbx-version must be 2 or 3, not {tbx_version}")
    with reported_errors():
        glossary = load_glossary(source)
        require_valid(glossary)
        write_tbx(output, glossary, version=tbx_version)
    sys.stderr.write(f"{output}: {len(glossary)} concepts\n")


@app.command("import")
def import_command(
    source: Path = typer.Argument(..., help="TBX file (v3 or 2008)."),
    output: Path = typer.Option(..., "-o", "--output", help="Glossary TSV file to write."),
) -> None:
    """Write a TBX file as a glossary TSV; nothing is written if it is malformed or fails the check."""

    with reported_errors():
        glossary = read_tbx(source)
        require_valid(glossary)
        write_tsv(output, glossary, comments=[f"Imported from {source.name}."])
    sys.stderr.write(f"{output}: {len(glossary)} entries\n")


