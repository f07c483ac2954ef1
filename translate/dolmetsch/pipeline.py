"""Running documents through the engine (and the glossary, when one is given).

Document segments → one batched decoding pass over every document (sentences with glossary terms
apart, in chunks) → glossary enforcement on the segments that need it → one TranslatedDocument per document, which every output format is
written from. Segments whose translation is already known (reviewed, a reviewer's draft, or the
machine's own current output in the catalogue, taken back as the run that decoded it had it) skip
the engine; when every segment is known, no engine is needed at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from dolmetsch.document.model import Document, Segment
from dolmetsch.engine.engine import Engine
from dolmetsch.enforce.inline import model_sentence, place_inline, plain_english, restore, shown_terms, with_stand_ins_placed
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.markup.placeholders import to_placeholders
from dolmetsch.postedit import TYPOGRAPHIC, post_edit
from dolmetsch.translation import (
    DRAFT,
    MACHINE,
    DocumentJob,
    KnownTranslation,
    RunStats,
    TermOutcome,
    TranslatedDocument,
    TranslatedSegment,
    has_words,
)


def translate_documents(
    jobs: Sequence[DocumentJob],
    engine: Engine | None,
    *,
    enforcer: GlossaryEnforcer | None = None,
    model: str | None = None,
    quotes: str | None = TYPOGRAPHIC,
    on_progress: Callable[[int], None] | None = None,
) -> list[TranslatedDocument]:
    """Translate every segment of every document in one batched pass, then apply the glossary.

    One pass over all documents lets the engine fill its batches across document boundaries;
    each document still gets its own TranslatedDocument. Seconds are shared out by word count.
    A job's `known` translations are taken as they are (the glossary is checked on them, not
    enforced) and its `notes` added to their segments; `engine` may be None when nothing else
    needs decoding, and `model` then names the model in the outputs. Machine output gets the
    locale post-edit (German quotes, 1.500, 3,5, 13. September rewritten the English way,
    glossary renderings untouched) in the `quotes` style; None skips it.
    """
    started = time.perf_counter()
    segments = [job.document.segments() for job in jobs]
    wordy = [s for found, job in zip(segments, jobs) for s in found if has_words(s.plain) and s.key not in job.known]
    passed_through = sum(len(found) for found in segments) - len(wordy)
    if on_progress and passed_through:
        on_progress(passed_through)
    if wordy and engine is None:
        raise ValueError("segments need decoding but no engine was given")
    by_text = _machine_translations(wordy, engine, enforcer, quotes, on_progress)
    decoded = iter(by_text[s.text] for s in wordy)
    seconds = time.perf_counter() - started
    words = [sum(len(s.plain.split()) for s in found) for found in segments]
    total_words = max(sum(words), 1)
    model = engine.package.name if engine is not None else (model or "")
    fingerprint = enforcer.fingerprint if enforcer else ""
    results = []
    for job, found, count in zip(jobs, segments, words):
        done = tuple(_settle(job, s, decoded, enforcer) for s in found)
        decoded_here = sum(1 for s in found if has_words(s.plain) and s.key not in job.known)
        stats = RunStats(len(found), count, seconds * count / total_words, decoded_here)
        results.append(TranslatedDocument(job.document, done, model, stats, fingerprint))
    return results


def _machine_translations(
    wordy: Sequence[Segment],
    engine: Engine | None,
    enforcer: GlossaryEnforcer | None,
    quotes: str | None,
    on_progress: Callable[[int], None] | None,
) -> dict[str, tuple]:
    """The machine's English of each distinct sentence (a recurring one is decoded once), post-edited,
    as TranslatedSegment fields after the segment: english, truncated, terms, origin, notes, post_edited."""
    first_of: dict[str, Segment] = {}
    for s in wordy:
        first_of.setdefault(s.text, s)
    unique = list(first_of.values())
    if on_progress and len(unique) < len(wordy):
        on_progress(len(wordy) - len(unique))
    models = {i: model_sentence(s.inline) for i, s in enumerate(unique) if s.inline is not None}
    plain = [replace(s, text=models[i].text if i in models else s.plain, inline=None) for i, s in enumerate(unique)]
    machine, stood, attended = [], {}, {}  # stood: where the model put the stand-ins of a sentence's word-like voids
    reusable = {i for i, m in models.items() if not m.stand_ins and not unique[i].inline.plain}
    for i, (text, truncated, terms, best) in enumerate(_decode(engine, enforcer, plain, on_progress, reusable) if unique else ()):
        edited, changes = post_edit(text, quotes=quotes, protected=[t.en for t in terms]) if quotes else (text, [])
        attended[i] = best if best is not None and best.text == edited else None  # its attention aligns exactly this English
        if i in models:
            edited, stood[i] = restore(edited, models[i])
            terms = tuple(replace(t, start=models[i].plain_offset(t.start), end=models[i].plain_offset(t.end)) for t in terms)
        machine.append((edited, truncated, terms, tuple(changes)))
    marked = list(models)
    placed = place_inline(
        engine, [unique[i].inline for i in marked], [machine[i][0] for i in marked], [machine[i][2] for i in marked],
        [attended.get(i) for i in marked],
    )
    by_text = {}
    for s, (english, truncated, terms, changes) in zip(unique, machine):
        by_text[s.text] = (english, truncated, terms, MACHINE, (), changes)
    for i, projection in zip(marked, placed):
        s = unique[i]
        english, truncated, terms, changes = machine[i]
        projection = with_stand_ins_placed(projection, stood[i])
        notes = (f"{FALLBACK_NOTE}{', '.join(f'<{n}>' for n in projection.fallbacks)}",) if projection.fallbacks else ()
        by_text[s.text] = (to_placeholders(projection.marked), truncated, shown_terms(terms, s.inline), MACHINE, notes, changes)
    return by_text


FALLBACK_NOTE = "markup placed without a confident alignment, check where it sits: "
"""The reviewer's note on a sentence whose inline elements alignment could not place with confidence."""


def _settle(job: DocumentJob, s: Segment, decoded: Iterator[tuple], enforcer: GlossaryEnforcer | None) -> TranslatedSegment:
    """One segment of a job: its known translation, the next decoded one, or the text itself (no letters)."""
    if s.key in job.known:
        take = job.known[s.key]
        terms = shown_terms(enforcer.review(s.plain, plain_english(take.english, s.inline)), s.inline) if enforcer is not None else ()
        machine = _as_decoded(s, take, terms)
        if machine is not None:
            segment = machine
        else:
            origin = DRAFT if take.origin == MACHINE else take.origin
            segment = TranslatedSegment(s, take.english, terms=terms, origin=origin, notes=tuple(filter(None, [take.note])))
    elif has_words(s.plain):  # decoded segments come back in the order they went in, so each document takes its own in turn
        segment = TranslatedSegment(s, *next(decoded))
    else:
        segment = TranslatedSegment(s, s.text)
    noted = job.notes.get(s.key)
    return replace(segment, notes=segment.notes + noted) if noted else segment


def _as_decoded(s: Segment, take: KnownTranslation, terms: tuple[TermOutcome, ...]) -> TranslatedSegment | None:
    """An untouched machine draft as the run that decoded it had it: the glossary's matches (`terms`,
    as the review found them) with the outcomes its catalogue entry records. None when the record
    does not fit those matches: the draft is then taken as a draft."""
    record = take.machine
    if take.origin != MACHINE or record is None:
        return None
    if [(t.found, t.en) for t in terms] != [(found, en) for found, en, _ in record.terms]:
        return None
    terms = tuple(replace(t, how=how) for t, (_, _, how) in zip(terms, record.terms))
    return TranslatedSegment(s, take.english, record.truncated, terms, MACHINE, record.notes, record.post_edited)


ENFORCEMENT_CHUNK = 256
"""Sentences with glossary terms are decoded and enforced this many at a time, so that their n-best
lists and attention are held for a chunk, not for every document of a run."""


def _decode(
    engine: Engine,
    enforcer: GlossaryEnforcer | None,
    segments: Sequence[Segment],
    on_progress: Callable[[int], None] | None,
    attend: set[int] = frozenset(),
) -> list[tuple]:
    """English, truncation flag, term outcomes and the best hypothesis with its attention (or None)
    per segment, in order.

    Only sentences with glossary terms pay for what enforcement needs from the first pass (the
    whole final beam, whose alternatives are a free n-best list, and attention); the rest are
    decoded plainly, those in `attend` (sentences with inline markup) with attention, so that
    their elements are placed without a second pass when their English is the model's own.
    """
    glossed = [i for i, s in enumerate(segments) if enforcer is not None and enforcer.matcher.match(s.text)]
    plain = sorted(set(range(len(segments))) - set(glossed))
    decoded: list = [None] * len(segments)
    for with_attention in (False, True):
        chosen = [i for i in plain if (i in attend) == with_attention]
        if not chosen:
            continue
        hypotheses = engine.translate(
            [segments[i].text for i in chosen], num_hypotheses=1, return_attention=with_attention, on_progress=on_progress
        )
        for i, (best, *_) in zip(chosen, hypotheses):
            decoded[i] = (best.text, best.truncated, (), best if with_attention else None)
    for start in range(0, len(glossed), ENFORCEMENT_CHUNK):
        chunk = glossed[start : start + ENFORCEMENT_CHUNK]
        first_pass = engine.translate(
            [segments[i].text for i in chunk],
            num_hypotheses=engine.options.beam_size,
            return_attention=True,
            on_progress=on_progress,
        )
        enforced = enforcer.enforce(engine, [segments[i] for i in chunk], first_pass)
        for i, (text, terms), hypotheses in zip(chunk, enforced, first_pass):
            decoded[i] = (text, hypotheses[0].truncated, terms, hypotheses[0] if i in attend else None)
    return decoded


def translate_document(
    document: Document,
    engine: Engine,
    *,
    enforcer: GlossaryEnforcer | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> TranslatedDocument:
    """One document: see translate_documents."""
    return translate_documents([DocumentJob(document)], engine, enforcer=enforcer, on_progress=on_progress)[0]
