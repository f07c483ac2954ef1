"""Reading translated segments back from a PO catalogue or a bitext TSV, reviewer edits included."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dolmetsch.errors import InputError


@dataclass(frozen=True)
class ReviewedSegment:
    """A German sentence, its current English and where a reviewer finds it."""

    de: str
    en: str
    where: str  # file:line of the entry or row


def read_segments(path: Path) -> list[ReviewedSegment]:
    """Segments of a .po or .tsv file, in file order."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    if path.suffix == ".po":
        return _from_po(path)
    if path.suffix == ".tsv":
        return _from_tsv(path)
    raise InputError(path, "expected a .po catalogue or a .tsv bitext")


def _from_po(path: Path) -> list[ReviewedSegment]:
    from dolmetsch.outputs.po import read_catalog

    catalog = read_catalog(path)
    return [
        ReviewedSegment(e.msgid, e.msgstr, f"{path}:{e.linenum}")
        for e in catalog
        if not e.obsolete and e.msgid
    ]


def _from_tsv(path: Path) -> list[ReviewedSegment]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read ({exc})") from None
    if not lines:
        raise InputError(path, "the file is empty")
    header = lines[0].split("\t")
    if "de" not in header or "en" not in header:
        raise InputError(path, "header must name the columns de and en", 1)
    de, en = header.index("de"), header.index("en")
    segments = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(path, f"expected {len(header)} tab-separated columns, found {len(cells)}", number)
        segments.append(ReviewedSegment(cells[de], cells[en], f"{path}:{number}"))
    return segments
