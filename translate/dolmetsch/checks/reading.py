"""The files `dolmetsch check` reads: folders walked for catalogues, and each segment's review state.

ReviewedSegment says what a segment is; the summary also needs whether a reviewer confirmed it,
which only the file knows (the PO `fuzzy` flag, the bitext's `reviewed`/`machine`/`draft` flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.errors import InputError
from dolmetsch.formats import read_segments
from dolmetsch.formats.base import ReviewedSegment
from dolmetsch.pipeline import REVIEWED as REVIEWED_ORIGIN

REVIEWED = "reviewed"
FUZZY = "fuzzy"
EMPTY = "empty"
UNKNOWN = ""
CATALOGUE_PATTERN = "*.po"


@dataclass(frozen=True)
class CheckedSegment(ReviewedSegment):
    """A segment with its review state: `reviewed`, `fuzzy`, `empty`, or '' where the file does not say."""

    state: str = UNKNOWN


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


def read_checked(path: Path | str) -> list[CheckedSegment]:
    """The segments of a PO or bitext file, each with its review state."""
    path = Path(path)
    segments = read_segments(path)  # validates the file and reports bad input
    if path.suffix == ".po":
        flags = _po_states(path)
    elif path.suffix == ".tsv":
        flags = _bitext_states(path)
    else:
        flags = {}
    return [
        CheckedSegment(s.de, s.en, s.where, EMPTY if not s.en.strip() else flags.get(s.where, UNKNOWN))
        for s in segments
    ]


def _po_states(path: Path) -> dict[str, str]:
    from dolmetsch.formats.po import read_catalog

    return {
        f"{path}:{entry.linenum}": FUZZY if "fuzzy" in entry.flags else REVIEWED
        for entry in read_catalog(path, for_merging=False)
    }


def _bitext_states(path: Path) -> dict[str, str]:
    """A bitext row's first flag says where its English came from; without a flags column nothing is known."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    if "flags" not in header:
        return {}
    column = header.index("flags")
    states = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) == len(header):
            origin = cells[column].split(",")[0].strip()
            states[f"{path}:{number}"] = REVIEWED if origin == REVIEWED_ORIGIN else FUZZY
    return states
