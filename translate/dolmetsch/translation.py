"""Running a document through the engine (and the glossary, when one is given).

This is the pipeline the CLI runs: document segments → one batched decoding pass → glossary
enforcement on the segments that need it → a TranslatedDocument that every output is written from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dolmetsch.document.model import Document, Segment
from dolmetsch.engine.engine import Engine
from dolmetsch.glossary.enforce import GlossaryEnforcer, TermOutcome


@dataclass(frozen=True)
class TranslatedSegment:
    segment: Segment
    english: str
    truncated: bool = False
    terms: tuple[TermOutcome, ...] = ()

    @property
    def missing_terms(self) -> tuple[TermOutcome, ...]:
        return tuple(t for t in self.terms if t.missing)


@dataclass(frozen=True)
class RunStats:
    segments: int
    words: int
    seconds: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.segments} segments, {self.words} words in {self.seconds:.1f} s "
            f"({self.words_per_second:.0f} words/s)"
        )


@dataclass(frozen=True)
class TranslatedDocument:
    document: Document
    segments: tuple[TranslatedSegment, ...]
    model: str
    stats: RunStats = field(default_factory=lambda: RunStats(0, 0, 0.0))

    def english(self) -> str:
        return self.document.render({s.segment.key: s.english for s in self.segments})


def has_words(text: str) -> bool:
    """Segments without a single letter ("…", "–", "2019", emoji) pass through: a model only invents text for them."""
    return any(char.isalpha() for char in text)


def translate_document(
    document: Document,
    engine: Engine,
    *,
    enforcer: GlossaryEnforcer | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> TranslatedDocument:
    """Translate every segment of the document in one batched pass, then apply the glossary."""
    started = time.perf_counter()
    segments = document.segments()
    wordy = [s for s in segments if has_words(s.text)]
    if on_progress and len(wordy) < len(segments):
        on_progress(len(segments) - len(wordy))
    # with a glossary, keep the whole final beam: its alternatives are the first, free n-best list
    decoded = engine.translate(
        [s.text for s in wordy],
        num_hypotheses=engine.options.beam_size if enforcer is not None else 1,
        return_attention=enforcer is not None,
        on_progress=on_progress,
    )
    best = [h[0] for h in decoded]
    if enforcer is not None:
        enforced = enforcer.enforce(engine, wordy, decoded)
    else:
        enforced = [(h.text, ()) for h in best]
    by_key = {
        segment.key: TranslatedSegment(segment, text, hypothesis.truncated, terms)
        for segment, (text, terms), hypothesis in zip(wordy, enforced, best)
    }
    translated = tuple(by_key.get(s.key) or TranslatedSegment(s, s.text) for s in segments)
    stats = RunStats(
        segments=len(segments),
        words=sum(len(s.text.split()) for s in segments),
        seconds=time.perf_counter() - started,
    )
    return TranslatedDocument(document, translated, engine.package.name, stats)
