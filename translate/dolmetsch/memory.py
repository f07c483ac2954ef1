"""A translation memory across documents: the reviewed sentences of every PO (and TMX) a newsroom has.

The same sentences come back every day („Der russische Präsident Wladimir Putin …“). A new
document's sentence that matches a reviewed one exactly is filled from it without a model call;
one that is merely similar (rapidfuzz ratio ≥ NEAR_MATCH) gets the reviewed translation as a
suggestion in a comment. Only confirmed PO entries and TMX units count: drafts teach nothing.

The memory is a help, never a condition: a catalogue under `--locales` that cannot be read (broken,
a FIFO, too large) is left out with a warning and the run goes on. A document's own catalogue is
never its memory (`SentenceMemory.without`). A TMX named with `--tm` is input the user asked for:
one that cannot be read is an error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from dolmetsch.document.reading import MAX_CATALOGUE_BYTES, read_regular_file
from dolmetsch.errors import InputError
from dolmetsch.formats.po import read_catalog
from dolmetsch.formats.po_merge import confirmed

NEAR_MATCH = 80.0
"""rapidfuzz `fuzz.ratio` (0–100) from which a reviewed sentence is offered as a suggestion."""
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Remembered:
    """A reviewed translation and where it came from (`file:line`)."""

    german: str
    english: str
    origin: str
    source: str = ""
    """The file's real path, so that a document's own catalogue can be left out."""


@dataclass
class SentenceMemory:
    """Reviewed translations by German sentence; the first one found wins.

    Later translations of the same sentence are kept aside (`others`): they stand in when the
    first one's file is left out for a document (`without`).
    """

    entries: dict[str, Remembered] = field(default_factory=dict)
    others: dict[str, list[Remembered]] = field(default_factory=dict)
    skipped: list[InputError] = field(default_factory=list)
    """Catalogues left out because they could not be read."""
    sources: set[str] = field(default_factory=set)
    """The files the translations came from (real paths)."""

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, remembered: Remembered) -> None:
        self.sources.add(remembered.source)
        if remembered.german in self.entries:
            self.others.setdefault(remembered.german, []).append(remembered)
        else:
            self.entries[remembered.german] = remembered

    def without(self, path: Path | str | None) -> "SentenceMemory":
        """This memory less what came from the file at `path`: a catalogue is no memory for itself."""
        if path is None:
            return self
        source = os.path.realpath(path)
        if source not in self.sources:
            return self
        kept = SentenceMemory(skipped=self.skipped)
        for german, first in self.entries.items():
            for remembered in (first, *self.others.get(german, ())):
                if remembered.source != source:
                    kept.add(remembered)
        return kept

    def exact(self, german: str) -> Remembered | None:
        return self.entries.get(german)

    def nearest(self, german: str) -> tuple[Remembered, float] | None:
        """The most similar remembered sentence at or above NEAR_MATCH, with its score."""
        found = process.extractOne(german, self.entries.keys(), scorer=fuzz.ratio, score_cutoff=NEAR_MATCH)
        if found is None:
            return None
        text, score, _ = found
        return self.entries[text], score


def warn_skipped(error: InputError) -> None:
    """One line on stderr for a catalogue the memory leaves out."""
    sys.stderr.write(f"dolmetsch: warning: {error}; left out of the translation memory\n")


def load_memory(
    catalogues: Iterable[Path] = (),
    tmx_files: Iterable[Path] = (),
    *,
    on_skip: Callable[[InputError], None] | None = warn_skipped,
) -> SentenceMemory:
    """A memory from PO catalogues (confirmed entries) and TMX files (de→en units).

    A catalogue that cannot be read is left out (in `skipped`, and reported to `on_skip`); a TMX
    file that cannot be read raises InputError.
    """
    memory = SentenceMemory()
    for path in catalogues:
        try:
            catalog = read_catalog(path, for_merging=False)
        except InputError as error:
            memory.skipped.append(error)
            if on_skip is not None:
                on_skip(error)
            continue
        source = os.path.realpath(path)
        for entry in catalog:
            if not entry.obsolete and entry.msgid and confirmed(entry):
                memory.add(Remembered(entry.msgid, entry.msgstr, f"{path}:{entry.linenum}", source))
    for path in tmx_files:
        for remembered in read_tmx(path):
            memory.add(remembered)
    return memory


def catalogues_under(locales_dir: Path | None) -> list[Path]:
    """Every English catalogue of a gettext tree (`LOCALES/en/LC_MESSAGES/*.po`), sorted."""
    if locales_dir is None:
        return []
    return sorted((Path(locales_dir) / "en" / "LC_MESSAGES").glob("*.po"))


def read_tmx(path: Path) -> list[Remembered]:
    """German→English units of a TMX file; entity declarations are refused, as for TBX."""
    from defusedxml import DefusedXmlException  # only memory runs with --tm need the XML parser
    from defusedxml.ElementTree import fromstring

    data = read_regular_file(path, MAX_CATALOGUE_BYTES)
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(path, f"refusing XML with entity declarations or external references ({type(exc).__name__})") from None
    except (OSError, SyntaxError) as exc:  # ElementTree.ParseError is a SyntaxError
        raise InputError(path, f"cannot read TMX ({exc})") from None
    if root.tag != "tmx":
        raise InputError(path, f"root element is <{root.tag}>, expected <tmx>")
    found = []
    for number, unit in enumerate(root.iter("tu"), start=1):
        by_language = {}
        for variant in unit.iter("tuv"):
            language = (variant.get(XML_LANG) or variant.get("lang") or "").lower().split("-")[0]
            segment = variant.find("seg")
            if segment is not None:
                by_language[language] = "".join(segment.itertext())
        if by_language.get("de") and by_language.get("en"):
            found.append(Remembered(by_language["de"], by_language["en"], f"{path}#tu{number}", os.path.realpath(path)))
    return found
