"""Output formats: the registry of what a run writes, the writer, and reading outputs back.

The registry sits above the formats (one module each, `dolmetsch.formats`) and the review page
(`dolmetsch.review`), which consumes formats and checks. Adding a format means one module with an
`OutputFormat` subclass (`formats/base.py`) and one line in FORMATS.
"""

from __future__ import annotations

from pathlib import Path

from dolmetsch.errors import InputError
from dolmetsch.formats.base import OutputFormat
from dolmetsch.formats.bitext import Bitext
from dolmetsch.formats.glossary_report import GlossaryReport
from dolmetsch.formats.markdown import SideBySide
from dolmetsch.formats.page import EnglishDocx, EnglishHtml, EnglishMarkdown, EnglishOdt
from dolmetsch.formats.po import GettextCatalog
from dolmetsch.formats.pot import GettextTemplate
from dolmetsch.formats.text import EnglishText
from dolmetsch.formats.tmx import TmxExport
from dolmetsch.review.page import ReviewPage
from dolmetsch.translation import ReviewedSegment

FORMATS: tuple[OutputFormat, ...] = (
    EnglishText(),
    EnglishHtml(),
    EnglishMarkdown(),
    EnglishDocx(),
    EnglishOdt(),
    Bitext(),
    SideBySide(),
    GettextCatalog(),
    GettextTemplate(),
    GlossaryReport(),
    TmxExport(),
    ReviewPage(),
)
"""Every output a run writes, in the order they are listed to the user."""


def read_segments(path: Path | str) -> list[ReviewedSegment]:
    """Segments of any output file that can be read back, with their review state, chosen by its
    suffix (`.po`, `.tsv`): what `dolmetsch check` inspects."""
    path = Path(path)
    readable = [f for f in FORMATS if f.readable]
    for output_format in readable:
        if path.name.endswith(output_format.suffix) or path.suffix == Path(output_format.suffix).suffix:
            return output_format.read_segments(path)  # each reader refuses what is not a regular file
    if not path.is_file():
        raise InputError(path, "no such file")
    suffixes = " or ".join(f"{f.suffix} ({f.name})" for f in readable)
    raise InputError(path, f"expected {suffixes}")


__all__ = ["FORMATS", "OutputFormat", "ReviewedSegment", "read_segments"]
