"""Inline markup carried into the final English of a sentence: alignment by a forced decode.

The English a sentence ends with is not always a hypothesis the model produced with attention (a
forced prefix, a replaced term, the locale post-edit all change it). So each sentence with inline
elements is decoded once more with its final English forced as the target prefix, greedily: the
decoder's attention over those pieces is the alignment of exactly that English, which
`dolmetsch.markup.project` turns into element spans. Glossary terms are hard links: the English
rendering of a term aligns to the German term alone, so a term inside a link stays inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dolmetsch.document.inline import MarkedText, Span, Tag
from dolmetsch.engine.engine import Engine, Hypothesis
from dolmetsch.enforce.align import piece_spans
from dolmetsch.markup.placeholders import PLACEHOLDER, MarkupError, from_placeholders, to_placeholders, without_placeholders
from dolmetsch.markup.project import Alignment, Projection, project
from dolmetsch.translation import TermOutcome


def place_inline(
    engine: Engine,
    sources: Sequence[MarkedText],
    englishes: Sequence[str],
    terms: Sequence[Sequence[TermOutcome]] = (),
    decoded: Sequence[Hypothesis | None] = (),
) -> list[Projection]:
    """The English of each sentence with the German's elements placed. `decoded[i]`, when given, is
    the hypothesis (with attention) that English i is, word for word: its attention aligns it and no
    second pass is needed; the others with elements get one greedy forced decode."""
    terms = list(terms) or [()] * len(sources)
    decoded = list(decoded) or [None] * len(sources)
    results: list[Projection | None] = [None] * len(sources)
    for i, hypothesis in enumerate(decoded):
        if hypothesis is not None and hypothesis.attention is not None and not sources[i].plain and hypothesis.text == englishes[i]:
            targets = piece_spans(engine, hypothesis.pieces)
            results[i] = project(sources[i], englishes[i], _alignment(engine, sources[i].text, englishes[i], hypothesis, terms[i], targets))
    todo = [
        i for i, (source, english) in enumerate(zip(sources, englishes))
        if results[i] is None and not source.plain and english.strip()
    ]
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


def _alignment(engine: Engine, german: str, english: str, hypothesis, terms: Sequence[TermOutcome], target=None) -> Alignment:
    """`target`: each English piece's characters (default: the pieces `english` encodes to, as a forced decode has them)."""
    source = [(start, end) for _, start, end in engine.encode_with_offsets(german)]
    target = target if target is not None else [(start, end) for _, start, end in engine.encode_with_offsets(english)]
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


# --- what the model reads where a sentence holds an address, a code span, a name kept as it is -------

STAND_IN_BASE = 7301
"""Word-like void elements are offered to the model as numbers from here on (models copy numbers), as
`dolmetsch serve` offers Weblate's placeables."""
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class ModelSentence:
    """A sentence as the model reads it: its plain text, with each void element that reads as a
    word (a URL, an e-mail address, a code span, a `translate="no"` name) standing in as a number,
    so the model reads a whole sentence ("bitte an 7301 oder …", not "bitte an oder …")."""

    text: str
    stand_ins: tuple[tuple[int, str, bool, bool], ...] = ()
    """(element id, its number, whether the German has a space before it, and after it)."""
    to_plain: tuple[int, ...] = ()
    """For each offset of `text` (and its end), the offset in the plain text."""

    def plain_offset(self, offset: int) -> int:
        return self.to_plain[offset] if self.to_plain else offset


def reads_as_word(tag: Tag) -> bool:
    """A void element whose own markup shows text (an address, `<code>x</code>`, a kept name);
    not a `<br>`, an `<img>` or a comment."""
    return tag.void and any(char.isalnum() for char in _TAGS.sub("", tag.opening))


def model_sentence(inline: MarkedText) -> ModelSentence:
    """The sentence with its word-like voids as numbers that occur nowhere else in it."""
    text = inline.text
    wordy = {tag.id for tag in inline.tags if reads_as_word(tag)}
    points = sorted((s.start, s.id) for s in inline.spans if s.id in wordy)
    if not points:
        return ModelSentence(text)
    number = STAND_IN_BASE
    out: list[str] = []
    to_plain: list[int] = []
    stand_ins = []
    last = 0
    for position, id in points:
        out.append(text[last:position])
        to_plain.extend(range(last, position))
        last = position
        while str(number) in text:
            number += 1
        written = "".join(out)
        lead = " " if written and not written[-1].isspace() else ""
        trail = " " if position < len(text) and text[position].isalnum() else ""
        token = f"{lead}{number}{trail}"
        out.append(token)
        to_plain.extend([position] * len(token))
        stand_ins.append((id, str(number), position > 0 and text[position - 1].isspace(), position < len(text) and text[position].isspace()))
        number += 1
    out.append(text[last:])
    to_plain.extend(range(last, len(text) + 1))
    return ModelSentence("".join(out), tuple(stand_ins), tuple(to_plain))


@dataclass(frozen=True)
class StandInPlaces:
    """Where each stand-in came back (element id → offset) in `english`, the English without them."""

    offsets: dict[int, int]
    english: str

    def __bool__(self) -> bool:
        return bool(self.offsets)


def restore(english: str, sentence: ModelSentence) -> tuple[str, StandInPlaces]:
    """The English without the stand-ins, spaced as the German is around each element, and where
    each came back. One that is lost or repeated places nothing: alignment places its element."""
    cuts = []  # (start, end, element id or None) of each stand-in found, with the space it takes along
    for id, number, space_before, space_after in sentence.stand_ins:
        found = list(re.finditer(rf"(?<!\d){number}(?!\d)", english))
        for match in found:
            start, end = match.span()
            if space_before and not space_after:  # "an 7301." → "an |.", "unter 7301 senden" (no space after in the German) → "at |send"
                end += english[end : end + 1] == " "
            elif not space_before and start and english[start - 1] == " ":  # "Kim 7301 kam" → "Kim| kam"
                start -= 1
            cuts.append((start, end, id if len(found) == 1 else None))  # spaces on both sides stay: "an 7301 oder" → "at | or"
    out, placed, last = [], {}, 0
    for start, end, id in sorted(cuts):
        start = max(start, last)
        out.append(english[last:start])
        if id is not None:
            placed[id] = sum(map(len, out))
        last = max(last, end)
    out.append(english[last:])
    restored = "".join(out)
    return restored, StandInPlaces(placed, restored)


def with_stand_ins_placed(projection: Projection, placed: StandInPlaces) -> Projection:
    """The projection with each word-like void where the model put its stand-in, unless that would
    not nest (then alignment's place stands). Its offsets follow the spaces the projection put in
    before other elements."""
    if not placed:
        return projection
    marked = projection.marked
    moved_to = _after_inserted_spaces(placed.english, marked.text)
    offsets = {id: moved_to[offset] for id, offset in placed.offsets.items()}
    spans = tuple(sorted(
        (Span(s.id, offsets[s.id], offsets[s.id]) if s.id in offsets else s for s in marked.spans),
        key=lambda s: (s.start, -s.end, s.id),
    ))
    moved = MarkedText(marked.text, spans, marked.tags)
    if moved.problems():
        return projection
    return Projection(moved, tuple(i for i in projection.fallbacks if i not in offsets))


def _after_inserted_spaces(before: str, after: str) -> list[int]:
    """For each offset of `before` (and its end), the offset in `after`, which is `before` with
    spaces put in; an offset where a space went in moves past it (the element follows the space)."""
    moved, j = [], 0
    for char in before:
        while j < len(after) and after[j] != char and after[j] == " ":
            j += 1
        moved.append(j)
        j += 1
    moved.append(len(after))
    return moved
