"""Sentence-aligned bitext as TSV (IANA text/tab-separated-values: fields never hold tabs or newlines).

Segments are whitespace-normalised, so no quoting is needed and every spreadsheet and `cut` reads it.
The same COLUMNS serve writing and reading back (for `dolmetsch check`, with a reviewer's edits).
"""

from __future__ import annotations

from pathlib import Path

from dolmetsch.document.reading import read_regular_file
from dolmetsch.errors import InputError
from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import EMPTY, FUZZY, REVIEWED, REVIEWED_STATE, ReviewedSegment, TranslatedDocument, TranslatedSegment

UNKNOWN = ""
"""The review state of a row when the file does not say (no flags column)."""

COLUMNS = ("block", "sentence", "kind", "line", "de", "en", "glossary", "flags")
READ_BACK_COLUMNS = ("de", "en")
"""The columns a bitext needs to be checked (a reviewer may have dropped the others)."""
TRUNCATED, GLOSSARY_MISSING, GLOSSARY_REPLACED, POST_EDITED = "truncated", "glossary-missing", "glossary-replaced", "post-edited"


def flags(segment: TranslatedSegment) -> list[str]:
    """What a reviewer should know about a row: where the English comes from (machine, reviewed,
    draft), cut by the length guard, glossary trouble."""
    found = [segment.origin]
    if segment.truncated:
        found.append(TRUNCATED)
    if segment.missing_terms:
        found.append(GLOSSARY_MISSING)
    if segment.replaced_terms:
        found.append(GLOSSARY_REPLACED)
    if segment.post_edited:
        found.append(POST_EDITED)
    return found


def _clean(value: str) -> str:
    return " ".join(value.split())


def render_bitext(translated: TranslatedDocument) -> str:
    rows = ["\t".join(COLUMNS)]
    for s in translated.segments:
        glossary = "; ".join(f"{t.de} → {t.en} ({t.how})" for t in s.terms)
        fields = (s.segment.block, s.segment.index, s.segment.kind.value, s.segment.line, s.segment.text, s.english, glossary, ",".join(flags(s)))
        rows.append("\t".join(_clean(str(f)) for f in fields))
    return "\n".join(rows) + "\n"


def read_bitext(path: Path) -> list[ReviewedSegment]:
    """Rows of a bitext TSV as segments, each with its file:line and its review state.

    The file is read once within the size limit, and only when it is a regular file (a FIFO would
    hang the check, a device fill memory). A row's first flag says where its English came from:
    `reviewed` is confirmed, anything else is a draft; without a flags column the state is unknown ('').
    """
    try:
        lines = read_regular_file(path).decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(path, f"cannot read ({exc})") from None
    if not lines:
        raise InputError(path, "the file is empty")
    header = lines[0].split("\t")
    if any(name not in header for name in READ_BACK_COLUMNS):
        raise InputError(path, f"header must name the columns {' and '.join(READ_BACK_COLUMNS)}", 1)
    de, en = (header.index(name) for name in READ_BACK_COLUMNS)
    origin = header.index("flags") if "flags" in header else None
    segments = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(path, f"expected {len(header)} tab-separated columns, found {len(cells)}", number)
        segments.append(ReviewedSegment(cells[de], cells[en], f"{path}:{number}", _state(cells[en], cells, origin)))
    return segments


def _state(english: str, cells: list[str], origin: int | None) -> str:
    if not english.strip():
        return EMPTY
    if origin is None:
        return UNKNOWN
    return REVIEWED_STATE if cells[origin].split(",")[0].strip() == REVIEWED else FUZZY


class Bitext(OutputFormat):
    name = "bitext"
    suffix = ".de-en.tsv"
    readable = True

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_bitext(translated)

    def read_segments(self, path: Path) -> list[ReviewedSegment]:
        return read_bitext(path)
