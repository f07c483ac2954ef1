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

from dolmetsch.errors import InputError
from dolmetsch.formats.po import Catalogues
from dolmetsch.formats.po_merge import confirmed
from dolmetsch.formats.tmx import read_tmx

NEAR_MATCH = 80.0
"""rapidfuzz `fuzz.ratio` (0–100) from which a reviewed sentence is offered as a suggestion."""


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
    parsed: Catalogues | None = None,
) -> SentenceMemory:
    """A memory from PO catalogues (confirmed entries) and TMX files (de→en units).

    A catalogue that cannot be read is left out (in `skipped`, and reported to `on_skip`); a TMX
    file that cannot be read raises InputError. `parsed` are the run's catalogues, so that a
    document's own catalogue (read before, by its output plan) is parsed once for its memory and
    for its outputs; the others are not kept.
    """
    memory = SentenceMemory()
    parsed = parsed or Catalogues()
    for path in catalogues:
        try:
            catalog = parsed.read(path, for_merging=False, keep=False)  # the run's own outputs are kept already
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
        for unit in read_tmx(path):
            memory.add(Remembered(unit.de, unit.en, unit.where, os.path.realpath(path)))
    return memory


def catalogues_under(locales_dir: Path | None) -> list[Path]:
    """Every English catalogue of a gettext tree (`LOCALES/en/LC_MESSAGES/*.po`), sorted."""
    if locales_dir is None:
        return []
    return sorted((Path(locales_dir) / "en" / "LC_MESSAGES").glob("*.po"))
