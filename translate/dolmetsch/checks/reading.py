"""The files `dolmetsch check` reads: folders walked for catalogues, and each segment's review state.

ReviewedSegment says what a segment is; the summary also needs whether a reviewer confirmed it,
which only the file knows (the PO `fuzzy` flag, the bitext's `reviewed`/`machine`/`draft` flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.document.reading import read_regular_file
from dolmetsch.errors import InputError
from dolmetsch.formats import read_segments
from dolmetsch.translation import ReviewedSegment
from dolmetsch.translation import REVIEWED as REVIEWED_ORIGIN

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
    """The segments of a PO or bitext file, each with its review state.

    Every file is read once within the size limit, and only when it is a regular file (a FIFO
    would hang the check, a device fill memory).
    """
    path = Path(path)
    if path.suffix == ".po":
        from dolmetsch.formats.po import po_segments, read_catalog

        catalog = read_catalog(path, for_merging=False)
        return [_checked(s, FUZZY if "fuzzy" in entry.flags else REVIEWED) for s, entry in po_segments(path, catalog)]
    if path.suffix == ".tsv":
        data = read_regular_file(path)
        segments = read_segments(path)  # validates the file and reports bad input
        flags = _bitext_states(path, data.decode("utf-8", errors="replace"))
        return [_checked(s, flags.get(s.where, UNKNOWN)) for s in segments]
    return [_checked(s, UNKNOWN) for s in read_segments(path)]  # names the suffixes it reads


def _checked(segment: ReviewedSegment, state: str) -> CheckedSegment:
    return CheckedSegment(segment.de, segment.en, segment.where, EMPTY if not segment.en.strip() else state)


def _bitext_states(path: Path, text: str) -> dict[str, str]:
    """A bitext row's first flag says where its English came from; without a flags column nothing is known."""
    lines = text.splitlines()
    header = lines[0].split("\t") if lines else []
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
