"""`dolmetsch xliff …`: XLIFF 1.2 for CAT tools, exported from a document's PO and imported back into it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import reported_errors

app = typer.Typer(
    help="Exchange a document's translations with a CAT tool as XLIFF 1.2; the PO stays the record of review.",
    rich_markup_mode=None,
)


@app.command("export")
def export_command(
    source: str = typer.Argument(..., help="The German article the PO was made from.", metavar="SOURCE"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for S.de-en.xlf."),
    locales: Path = typer.Option(Path("locales"), "--locales", help="gettext tree holding en/LC_MESSAGES/S.po."),
    name: Optional[str] = typer.Option(None, "--name", help="Output stem [default: the source file name without extension]."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
) -> None:
    """Write OUT/S.de-en.xlf: one unit per sentence, its translation, review state and notes from the PO.

    Fuzzy entries are needs-review-translation, confirmed ones translated and approved, those
    flagged `final` final. Inline markup travels as <g>/<x>, glossary terms as <mrk mtype="term">.
    """
    # the stages load on use, so --help stays instant (see the module docstring of dolmetsch.cli)
    from dolmetsch.exchange import export_xliff

    with reported_errors():
        exported = export_xliff(source, out_dir=out, locales_dir=locales, name=name)
    if not quiet:
        sys.stderr.write(f"wrote {exported.path} ({exported.units} units)\n")


@app.command("import")
def import_command(
    xliff: str = typer.Argument(..., help="The XLIFF a CAT tool saved (S.de-en.xlf).", metavar="XLIFF"),
    locales: Path = typer.Option(Path("locales"), "--locales", help="gettext tree holding en/LC_MESSAGES/S.po."),
    name: Optional[str] = typer.Option(None, "--name", help="Output stem of the document [default: its file name without extension]."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
) -> None:
    """Merge the CAT tool's translations, review states and notes into the document's PO.

    The PO is locked and re-checked before it is replaced, as for every PO write. A unit whose
    German is no longer its entry's is reported and kept as obsolete; a unit whose <g>/<x> do not
    pair up with its source's is refused, naming it, and nothing is written. Then `dolmetsch build`.
    """
    from dolmetsch.exchange import import_xliff

    with reported_errors():
        imported = import_xliff(Path(xliff), locales_dir=locales, name=name)
    for warning in imported.warnings:
        sys.stderr.write(f"dolmetsch: warning: {warning}\n")
    if not quiet:
        sys.stderr.write(f"{imported.summary()}\n")
