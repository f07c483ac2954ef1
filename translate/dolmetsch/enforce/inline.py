"""Inline markup carried into the final English of a sentence: alignment by a forced decode.

The English a sentence ends with is not always a hypothesis the model produced with attention (a
forced prefix, a replaced term, the locale post-edit all change it). So each sentence with inline
elements is decoded once more with its final English forced as the target prefix, greedily: the
decoder's attention over those pieces is the alignment of exactly that English, which
`dolmetsch.markup.project` turns into element spans. Glossary terms are hard links: the English
rendering of a term aligns to the German term alone, so a term inside a link stays inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dolmetsch.document.inline import MarkedText, Span
from dolmetsch.engine.engine import Engine
from dolmetsch.markup.placeholders import PLACEHOLDER, MarkupError, from_placeholders, to_placeholders, without_placeholders
from dolmetsch.markup.project import Alignment, Projection, project
from dolmetsch.translation import TermOutcome


def place_inline(
    engine: Engine, sources: Sequence[MarkedText], englishes: Sequence[str], terms: Sequence[Sequence[TermOutcome]] = ()
) -> list[Projection]:
    """The English of each sentence with the German's elements placed (one greedy forced decode for
    those with elements; the others need none)."""
    terms = list(terms) or [()] * len(sources)
    results: list[Projection | None] = [None] * len(sources)
    todo = [i for i, (source, english) in enumerate(zip(sources, englishes)) if not source.plain and english.strip()]
    hypotheses = (
        engine.translate(
            [sources[i].text for i in todo],
            num_hypotheses=1,
            beam_size=1,
            target_prefixes=[englishes[i] for i in todo],
            return_attention=True,
        )
        if todo
        else []
    )
    for i, found in zip(todo, hypotheses):
        results[i] = project(sources[i], englishes[i], _alignment(engine, sources[i].text, englishes[i], found[0], terms[i]))
    for i, (source, english) in enumerate(zip(sources, englishes)):
        if results[i] is None:  # no elements, or no English to place them on: at its end, for a reviewer
            spans = tuple(Span(span.id, len(english), len(english)) for span in source.spans)
            results[i] = Projection(MarkedText(english, spans, source.tags), tuple(span.id for span in source.spans))
    return results


def _alignment(engine: Engine, german: str, english: str, hypothesis, terms: Sequence[TermOutcome]) -> Alignment:
    source = [(start, end) for _, start, end in engine.encode_with_offsets(german)]
    target = [(start, end) for _, start, end in engine.encode_with_offsets(english)]
    weights = hypothesis.attention if hypothesis.attention is not None else ()
    alignment = Alignment.from_attention(source, target, weights)
    if not terms:
        return alignment
    rows = [list(row) for row in alignment.weights]
    for term in terms:
        german_pieces = [s for s, (a, b) in enumerate(source) if a < term.end and b > term.start]
        for start, end in _renderings(term, english):
            for t, (a, b) in enumerate(target):
                if a < end and b > start and german_pieces:
                    rows[t] = [1.0 / len(german_pieces) if s in german_pieces else 0.0 for s in range(len(source))]
    return Alignment(alignment.source_ranges, alignment.target_ranges, tuple(map(tuple, rows)))


def _renderings(term: TermOutcome, english: str) -> list[tuple[int, int]]:
    """Where the term's English stands in the sentence (each occurrence)."""
    found, start = [], english.find(term.en)
    while term.en and start >= 0:
        found.append((start, start + len(term.en)))
        start = english.find(term.en, start + 1)
    return found


def plain_english(english: str, inline: MarkedText | None) -> str:
    """The text of a translation with placeholders (a reviewer's, say), as the glossary reads it;
    placeholders that do not fit the German are dropped (the `markup` check reports them)."""
    if inline is None:
        return english
    try:
        return from_placeholders(english, inline).text
    except MarkupError:
        return without_placeholders(english)


def shown_terms(terms: Sequence[TermOutcome], inline: MarkedText | None) -> tuple[TermOutcome, ...]:
    """Term outcomes with offsets into the sentence as people see it (placeholders and all), not
    into the plain text the glossary matched."""
    if inline is None or not terms:
        return tuple(terms)
    positions = _shown_positions(inline)
    return tuple(replace(t, start=positions[t.start], end=positions[t.end - 1] + 1 if t.end > t.start else positions[t.end]) for t in terms)


def _shown_positions(inline: MarkedText) -> list[int]:
    """For each character of the plain text (and its end), its offset in `to_placeholders(inline)`."""
    plain, shown = inline.text, to_placeholders(inline)
    positions, j = [], 0
    for i, char in enumerate(plain):
        while j < len(shown):
            token = PLACEHOLDER.match(shown, j)
            if token and not plain.startswith(token.group(), i):
                j = token.end()
            elif shown[j] != char:
                j += 1
            else:
                break
        positions.append(j)
        j += 1
    positions.append(len(shown))
    return positions
