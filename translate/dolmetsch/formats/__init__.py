"""Output formats: the registry, writing every output of a run, and reading outputs back.

Adding a format means one module with an `OutputFormat` subclass and one line in FORMATS.
"""

from __future__ import annotations

from pathlib import Path

from dolmetsch.errors import InputError
from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import ReviewedSegment
from dolmetsch.formats.bitext import Bitext
from dolmetsch.formats.glossary_report import GlossaryReport
from dolmetsch.formats.markdown import SideBySide
from dolmetsch.formats.po import GettextCatalog
from dolmetsch.formats.pot import GettextTemplate
from dolmetsch.formats.review_page import ReviewPage
from dolmetsch.formats.text import EnglishText
from dolmetsch.formats.tmx import TranslationMemory

FORMATS: tuple[OutputFormat, ...] = (
    EnglishText(),
    Bitext(),
    SideBySide(),
    GettextCatalog(),
    GettextTemplate(),
    GlossaryReport(),
    TranslationMemory(),
    ReviewPage(),
)
"""Every output a run writes, in the order they are listed to the user."""


def format_named(name: str) -> OutputFormat:
    for output_format in FORMATS:
        if output_format.name == name:
            return output_format
    raise KeyError(name)


def read_segments(path: Path | str) -> list[ReviewedSegment]:
    """Segments of any output file that can be read back, chosen by its suffix (`.po`, `.tsv`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    readable = [f for f in FORMATS if f.readable]
    for output_format in readable:
        if path.name.endswith(output_format.suffix) or path.suffix == Path(output_format.suffix).suffix:
            return output_format.read_segments(path)
    suffixes = " or ".join(f"{f.suffix} ({f.name})" for f in readable)
    raise InputError(path, f"expected {suffixes}")


__all__ = ["FORMATS", "OutputFormat", "ReviewedSegment", "format_named", "read_segments"]
