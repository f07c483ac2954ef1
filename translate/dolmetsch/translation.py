"""One model of a translated sentence, for every stage: where its English came from, its review
state, its glossary terms, and the record of a document a run translates.

As Babel keeps `Message` and `Catalog` in one module, the types every stage shares live here:
the pipeline makes them, the formats write and read them back, the checks inspect them, the
workers carry them. Nothing here does work; it only says what a translation is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from dolmetsch.document.model import Document, Segment, SegmentKey


class Origin(str, Enum):
    """Where a segment's English came from; the one vocabulary of review state.

    A catalogue entry is REVIEWED when a reviewer confirmed it (not fuzzy), DRAFT when it is
    fuzzy (a reviewer's edit, or an earlier run's current output), and MACHINE when this run
    decoded it. The value is what the bitext's flags column and the JSON report say.
    """

    MACHINE = "machine"
    REVIEWED = "reviewed"
    DRAFT = "draft"

    def __str__(self) -> str:  # written into files as its value, as a plain string would be
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of_entry(cls, fuzzy: bool) -> "Origin":
        """The origin of an English taken from a catalogue: confirmed, or a draft."""
        return cls.DRAFT if fuzzy else cls.REVIEWED

    @property
    def confirmed(self) -> bool:
        return self is Origin.REVIEWED

    def state(self, english: str) -> str:
        """The review state shown to people: `empty`, `reviewed` or `fuzzy` (anything unconfirmed)."""
        if not english.strip():
            return EMPTY
        return REVIEWED_STATE if self.confirmed else FUZZY


MACHINE, REVIEWED, DRAFT = Origin.MACHINE, Origin.REVIEWED, Origin.DRAFT
REVIEWED_STATE, FUZZY, EMPTY = "reviewed", "fuzzy", "empty"
"""Review states as people see them (the check summary, the review page)."""

NATURAL, NBEST, PREFIX, REPLACED, MISSING = "natural", "n-best", "prefix", "replaced", "MISSING"
KEPT = "kept"
"""Satisfied by a translation the run took from the catalogue (reviewed, or a current draft)."""
STRATEGIES = (NATURAL, NBEST, PREFIX, REPLACED, KEPT, MISSING)
"""How a glossary term can be honoured, in the order enforcement tries them (see dolmetsch.enforce)."""


@dataclass(frozen=True)
class TermOutcome:
    """How one glossary match in one segment was honoured."""

    de: str  # the glossary entry's German form
    en: str  # its required English rendering
    found: str  # the text as it occurs in the source sentence
    start: int
    end: int
    how: str  # one of STRATEGIES

    @property
    def missing(self) -> bool:
        return self.how == MISSING


@dataclass(frozen=True)
class MachineRecord:
    """What a decoding run knew of a machine output, as its catalogue entry records it, so that a
    re-run that takes the output back tells the same story the decoding run did."""

    truncated: bool = False
    terms: tuple[tuple[str, str, str], ...] = ()
    """Each glossary match as (found, en, how), in the sentence's order."""
    post_edited: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownTranslation:
    """A translation a run takes instead of decoding: `origin` is REVIEWED or DRAFT, or MACHINE for
    an untouched current machine draft, whose `machine` record says what its decoding run knew."""

    english: str
    origin: Origin
    note: str = ""
    """Where it came from, for the reviewer (a memory entry, say)."""
    machine: MachineRecord | None = None


@dataclass(frozen=True)
class TranslatedSegment:
    segment: Segment
    english: str
    truncated: bool = False
    terms: tuple[TermOutcome, ...] = ()
    origin: Origin = MACHINE
    notes: tuple[str, ...] = ()
    """Lines for the reviewer: where a known translation came from, memory suggestions."""
    post_edited: tuple[str, ...] = ()
    """What the locale post-edit rewrote in the machine output (`quotes`, `numbers`, `dates`)."""

    @property
    def missing_terms(self) -> tuple[TermOutcome, ...]:
        return tuple(t for t in self.terms if t.how == MISSING)

    @property
    def replaced_terms(self) -> tuple[TermOutcome, ...]:
        """Terms put in after decoding: the wording around them deserves a look."""
        return tuple(t for t in self.terms if t.how == REPLACED)

    @property
    def state(self) -> str:
        return Origin(self.origin).state(self.english)


@dataclass(frozen=True)
class RunStats:
    segments: int
    words: int
    seconds: float
    decoded: int | None = None
    """Segments sent to the model (the rest were known or had no letters); None when not counted."""

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        decoded = f", {self.decoded} decoded" if self.decoded is not None else ""
        return (
            f"{self.segments} segments{decoded}, {self.words} words in {self.seconds:.1f} s "
            f"({self.words_per_second:.0f} words/s)"
        )


@dataclass(frozen=True)
class DocumentSummary:
    """What a run reports of one document (the batch table, `--report`): kept in its stamp, so an
    up-to-date document is reported without being read again."""

    stats: RunStats
    glossary_missing: int = 0
    reviewed: int = 0
    fuzzy: int = 0
    """Segments not confirmed by a reviewer (machine output and drafts)."""

    @classmethod
    def of(cls, translated: "TranslatedDocument") -> "DocumentSummary":
        reviewed = sum(1 for s in translated.segments if s.origin == REVIEWED)
        return cls(
            translated.stats,
            glossary_missing=sum(len(s.missing_terms) for s in translated.segments),
            reviewed=reviewed,
            fuzzy=len(translated.segments) - reviewed,
        )

    def record(self) -> dict:
        """The figures to keep, for `unchanged`."""
        stats = self.stats
        return {"segments": stats.segments, "words": stats.words, "glossary_missing": self.glossary_missing,
                "reviewed": self.reviewed, "fuzzy": self.fuzzy}

    @classmethod
    def unchanged(cls, record: Mapping) -> "DocumentSummary":
        """The summary of a document a run left as it was, from the figures its last run kept: nothing decoded."""
        stats = RunStats(int(record.get("segments", 0)), int(record.get("words", 0)), 0.0, 0)
        return cls(stats, int(record.get("glossary_missing", 0)), int(record.get("reviewed", 0)), int(record.get("fuzzy", 0)))


@dataclass(frozen=True)
class TranslatedDocument:
    document: Document
    segments: tuple[TranslatedSegment, ...]
    model: str
    stats: RunStats = field(default_factory=lambda: RunStats(0, 0, 0.0))
    glossary: str = ""
    """Fingerprint of the glossary the run enforced; empty without one."""

    @property
    def glossary_enforced(self) -> bool:
        return bool(self.glossary)

    def english(self) -> str:
        return self.document.render({s.segment.key: s.english for s in self.segments})


@dataclass(frozen=True)
class DocumentJob:
    """A document of a run with what the run already knows of it: translations to take instead of
    decoding (`known`) and lines for the reviewer (`notes`), both by segment key."""

    document: Document
    known: Mapping[SegmentKey, KnownTranslation] = field(default_factory=dict)
    notes: Mapping[SegmentKey, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewedSegment:
    """A German sentence and its current English read back from a file, where a reviewer finds it
    (`file:line`) and its review state (`reviewed`, `fuzzy`, `empty`, or '' where the file does not say)."""

    de: str
    en: str
    where: str
    state: str = ""


def has_words(text: str) -> bool:
    """Segments without a single letter ("…", "–", "2019", emoji) pass through: a model only invents text for them."""
    return any(char.isalpha() for char in text)
