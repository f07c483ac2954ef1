"""A translation memory across documents: the reviewed sentences of every PO (and TMX) a newsroom has.

The same sentences come back every day („Der russische Präsident Wladimir Putin …“). A new
document's sentence that matches a reviewed one exactly is filled from it without a model call;
one that is merely similar (rapidfuzz ratio ≥ NEAR_MATCH) gets the reviewed translation as a
suggestion in a comment. Only confirmed PO entries and TMX units count: drafts teach nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

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


@dataclass
class SentenceMemory:
    """Reviewed translations by German sentence; the first one found wins."""

    entries: dict[str, Remembered] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, remembered: Remembered) -> None:
        self.entries.setdefault(remembered.german, remembered)

    def exact(self, german: str) -> Remembered | None:
        return self.entries.get(german)

    def nearest(self, german: str) -> tuple[Remembered, float] | None:
        """The most similar remembered sentence at or above NEAR_MATCH, with its score."""
        found = process.extractOne(german, self.entries.keys(), scorer=fuzz.ratio, score_cutoff=NEAR_MATCH)
        if found is None:
            return None
        text, score, _ = found
        return self.entries[text], score


def load_memory(catalogues: Iterable[Path] = (), tmx_files: Iterable[Path] = ()) -> SentenceMemory:
    """A memory from PO catalogues (confirmed entries) and TMX files (de→en units)."""
    memory = SentenceMemory()
    for path in catalogues:
        for entry in read_catalog(path, for_merging=False):
            if not entry.obsolete and entry.msgid and confirmed(entry):
                memory.add(Remembered(entry.msgid, entry.msgstr, f"{path}:{entry.linenum}"))
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
    from defusedxml.ElementTree import parse

    try:
        root = parse(str(path)).getroot()
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
            found.append(Remembered(by_language["de"], by_language["en"], f"{path}#tu{number}"))
    return found
