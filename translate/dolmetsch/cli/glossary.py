"""`dolmetsch glossary …`: lint glossaries, convert them to and from TBX, propose entries from an article."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional

import typer

from dolmetsch.cli.common import fail, reported_errors
from dolmetsch.glossary import load_glossary
from dolmetsch.glossary.lint import check, errors, require_valid
from dolmetsch.glossary.tbx import read_tbx, write_tbx
from dolmetsch.glossary.tsv import write_tsv

app = typer.Typer(help="Check glossaries, convert them to and from TBX, and propose entries from an article.", rich_markup_mode=None)

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


@app.command("extract")
def extract_command(
    source: str = typer.Argument(..., help="German article: a text file, or - for standard input."),
    output: Path = typer.Option(..., "-o", "--output", help="Proposals TSV to write; an existing one is merged, its rows kept."),
    glossary: Optional[List[Path]] = typer.Option(
        None, "--glossary", help="Glossary whose entries are known and skipped (repeatable; default: ./glossary/ when it holds *.tsv)."
    ),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Treat no entry as known."),
    model: Optional[Path] = typer.Option(
        None, "--model", help="Argos package (.argosmodel or folder): add the model's rendering of each term in context."
    ),
    no_dictionary: bool = typer.Option(False, "--no-dictionary", help="Do not use the Ding dictionary (trans-de-en) even where installed."),
) -> None:
    """Propose glossary entries (status proposed) for the names, adjectives, acronyms and terms of an article."""
    # term extraction brings HanTa, wordfreq and Babel: loaded only for this command, so --help stays instant
    from dolmetsch.atomic import check_writable_target
    from dolmetsch.sources import read_document
    from dolmetsch.terms.extract import DEFAULT_COMMENTS, Extractor, merge_proposals, read_existing
    from dolmetsch.glossary.loading import applicable_glossaries
    from dolmetsch.glossary.model import Glossary

    with reported_errors():
        document = read_document(source)
        existing = read_existing(output)
        check_writable_target(output)
        paths = applicable_glossaries(glossary, disabled=no_glossary)
        known = load_glossary(paths) if paths else Glossary()
        engine = None
        if model is not None:
            from dolmetsch.api import load_engine  # the engine only when a model is asked for

            engine = load_engine(model, offline=True)
        extraction = Extractor(known=known, engine=engine, dictionary=not no_dictionary).extract(document)
        proposals = [proposal.entry() for proposal in extraction.proposals]
        rows, comments = existing if existing is not None else ([], list(DEFAULT_COMMENTS))
        merged, skipped = merge_proposals(rows, proposals)
        write_tsv(output, merged, comments=comments)
    for candidate, entry in extraction.known:
        sys.stderr.write(f"known: {candidate.de} ({entry.location})\n")
    for entry in skipped:
        sys.stderr.write(f"already in {output}: {entry.de}\n")
    added = len(proposals) - len(skipped)
    kinds = Counter(entry.kind for entry in proposals if entry not in skipped)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    sys.stderr.write(
        f"{output}: {added} proposals added ({summary or 'none'}), {len(extraction.known)} known, "
        f"{len(skipped)} already there, {extraction.seconds:.1f} s\n"
    )
