"""Running documents through the engine (and the glossary, when one is given).

Document segments → one batched decoding pass over every document → glossary enforcement on the
segments that need it → one TranslatedDocument per document, which every output format is
written from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dolmetsch.document.model import Document, Segment
from dolmetsch.engine.engine import Engine
from dolmetsch.glossary.enforce import MISSING, REPLACED, GlossaryEnforcer, TermOutcome


@dataclass(frozen=True)
class TranslatedSegment:
    segment: Segment
    english: str
    truncated: bool = False
    terms: tuple[TermOutcome, ...] = ()

    @property
    def missing_terms(self) -> tuple[TermOutcome, ...]:
        return tuple(t for t in self.terms if t.how == MISSING)

    @property
    def replaced_terms(self) -> tuple[TermOutcome, ...]:
        """Terms put in after decoding: the wording around them deserves a look."""
        return tuple(t for t in self.terms if t.how == REPLACED)


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
    glossary_enforced: bool = False

    def english(self) -> str:
        return self.document.render({s.segment.key: s.english for s in self.segments})


def has_words(text: str) -> bool:
    """Segments without a single letter ("…", "–", "2019", emoji) pass through: a model only invents text for them."""
    return any(char.isalpha() for char in text)


def translate_documents(
    documents: Sequence[Document],
    engine: Engine,
    *,
    enforcer: GlossaryEnforcer | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[TranslatedDocument]:
    """Translate every segment of every document in one batched pass, then apply the glossary.

    One pass over all documents lets the engine fill its batches across document boundaries;
    each document still gets its own TranslatedDocument. Seconds are shared out by word count.
    """
    started = time.perf_counter()
    segments = [document.segments() for document in documents]
    wordy = [s for found in segments for s in found if has_words(s.text)]
    passed_through = sum(len(found) for found in segments) - len(wordy)
    if on_progress and passed_through:
        on_progress(passed_through)
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
    translated = iter(
        TranslatedSegment(segment, text, hypothesis.truncated, terms)
        for segment, (text, terms), hypothesis in zip(wordy, enforced, best)
    )
    seconds = time.perf_counter() - started
    words = [sum(len(s.text.split()) for s in found) for found in segments]
    total_words = max(sum(words), 1)
    results = []
    for document, found, count in zip(documents, segments, words):
        # segments come back in the order they went in, so each document takes its own in turn
        done = tuple(next(translated) if has_words(s.text) else TranslatedSegment(s, s.text) for s in found)
        stats = RunStats(segments=len(found), words=count, seconds=seconds * count / total_words)
        results.append(TranslatedDocument(document, done, engine.package.name, stats, enforcer is not None))
    return results


def translate_document(
    document: Document,
    engine: Engine,
    *,
    enforcer: GlossaryEnforcer | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> TranslatedDocument:
    """One document: see translate_documents."""
    return translate_documents([document], engine, enforcer=enforcer, on_progress=on_progress)[0]
