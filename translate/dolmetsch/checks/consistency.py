"""The consistency check, over every segment of every file of a run.

* The same German sentence translated two ways: an error at each segment that differs from the
  most common translation.
* The same English for different German sentences: a warning (one of them is likely wrong).
* A recurring German noun rendered different ways: a warning naming the renderings and their
  counts. For a glossary entry the matcher finds its inflected occurrences and the rendering used
  is the required one or a forbidden variant. Any other capitalised German noun (by Snowball
  stem, so Staaten and Staates meet) is aligned by co-occurrence: its *dominant rendering* is the
  English stem found in most of its segments and seldom elsewhere. A segment without it is
  reported only when it holds a positive alternative: an English stem that never occurs beside the
  dominant rendering, occurs only where the noun does, is no other noun's dominant rendering, and
  stands near the noun's relative position in the sentence. Omissions, pronouns and rewordings have
  no such alternative and stay silent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from dolmetsch.checks.base import ERROR, WARNING, CheckContext, Finding
from dolmetsch.translation import ReviewedSegment
from dolmetsch.glossary import Entry
from dolmetsch.glossary.constraints import forbidden_found, rendering_spans
from dolmetsch.glossary.matcher import tokenize

NAME = "consistency"
MIN_OCCURRENCES = 3
"""A noun must occur in this many segments before its dominant rendering can be told."""
MAX_POSITION_SHIFT = 0.3
"""How far (as a share of the sentence) an alternative may stand from the German noun."""
MIN_GERMAN_NOUN = 4
MIN_ENGLISH_WORD = 3
ENGLISH_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    a about above after again against all also although am among an and another any are as at be because been
    before being below between both but by can could did do does doing done down during each either else even
    ever every few for from further had has have having he her here hers herself him himself his how however i
    if in into is it its itself just least less let like many may me might more most much must my myself near
    neither no nor not now of off often on once one only onto or other others our ours ourselves out over own
    per quite rather said same say says she should since so some such than that the their theirs them
    themselves then there these they this those though through thus to too toward towards under until up upon
    us very via was we were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves mr mrs ms
    """.split()
)
"""Words no noun is rendered as (a small closed class, listed by hand)."""


def normalised(text: str) -> str:
    return " ".join(text.split())


def same_german_translated_differently(segments: Sequence[ReviewedSegment]) -> Iterator[Finding]:
    by_german: dict[str, list[ReviewedSegment]] = defaultdict(list)
    for segment in segments:
        if segment.en.strip():
            by_german[normalised(segment.de)].append(segment)
    for group in by_german.values():
        counts = Counter(normalised(s.en) for s in group)
        if len(counts) < 2:
            continue
        usual = max(counts, key=lambda en: (counts[en], -[normalised(s.en) for s in group].index(en)))
        reference = next(s for s in group if normalised(s.en) == usual)
        for segment in group:
            if normalised(segment.en) != usual:
                yield Finding(
                    segment.where, NAME,
                    f"the same German is translated differently at {reference.where}: {_short(reference.en)!r}", ERROR,
                )


def same_english_for_different_german(segments: Sequence[ReviewedSegment]) -> Iterator[Finding]:
    first_by_english: dict[str, ReviewedSegment] = {}
    for segment in segments:
        if not segment.en.strip():
            continue
        first = first_by_english.setdefault(normalised(segment.en), segment)
        if normalised(first.de) != normalised(segment.de):
            yield Finding(
                segment.where, NAME,
                f"the same English translates a different German sentence at {first.where}: {_short(first.de)!r}", WARNING,
            )


def _short(text: str, limit: int = 60) -> str:
    text = normalised(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- recurring nouns --------------------------------------------------------------------------


@dataclass
class _Words:
    """One segment's German nouns and English content words, each by stem: (surface, relative position)."""

    german: dict[str, tuple[str, float]] = field(default_factory=dict)
    english: dict[str, tuple[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Rendering:
    """How one segment renders a glossary entry's German."""

    index: int
    german: str
    rendering: str


def _stemmers():
    """German and English stemming functions, each word stemmed once (a batch repeats its words)."""
    # PyStemmer (Snowball in C) is imported on use: only the consistency check needs it
    import Stemmer

    return tuple(lru_cache(maxsize=1 << 16)(Stemmer.Stemmer(language).stemWord) for language in ("german", "english"))


def _segment_words(segment: ReviewedSegment, stemmers, german_spans, english_spans) -> _Words:
    """The segment's words outside glossary matches and their renderings."""
    german_stem, english_stem = stemmers
    words = _Words()
    tokens = tokenize(segment.de)
    for index, token in enumerate(tokens):
        text = token.text
        if len(text) < MIN_GERMAN_NOUN or not text[0].isupper() or text.isupper() or not text.isalpha():
            continue
        if any(start <= token.start < end for start, end in german_spans):
            continue  # the glossary part handles it
        key = ("^" if token.sentence_initial else "") + german_stem(text.lower())
        words.german.setdefault(key, (text, index / max(1, len(tokens) - 1)))
    english = list(ENGLISH_WORD.finditer(segment.en))
    for index, match in enumerate(english):
        word = match.group().casefold()
        if len(word) < MIN_ENGLISH_WORD or word in ENGLISH_FUNCTION_WORDS:
            continue
        if any(start <= match.start() < end for start, end in english_spans):
            continue
        words.english.setdefault(english_stem(word), (match.group(), index / max(1, len(english) - 1)))
    return words


def _glossary_spans(segment: ReviewedSegment, context: CheckContext):
    """Where glossary matches lie in the German, and their renderings in the English."""
    if context.glossary is None:
        return [], [], []
    matches = list(context.matches(segment.de))
    english_spans = [span for m in matches for span in rendering_spans(m.entry, segment.en)]
    return matches, [(m.start, m.end) for m in matches], english_spans


def _glossary_renderings(segments, matches_by_segment) -> Iterator[Finding]:
    """Glossary entries rendered by their required rendering in some segments and a forbidden variant in others."""
    used: dict[Entry, list[_Rendering]] = defaultdict(list)
    for index, (segment, matches) in enumerate(zip(segments, matches_by_segment)):
        for match in {m.entry: m for m in matches}.values():
            if rendering_spans(match.entry, segment.en):
                rendering = match.entry.required
            else:
                variants = forbidden_found(match.entry, segment.en)
                if not variants:
                    continue  # missing: the glossary check says so
                rendering = variants[0]
            used[match.entry].append(_Rendering(index, match.text, rendering))
    for entry, renderings in used.items():
        counts = Counter(r.rendering for r in renderings)
        if len(counts) < 2:
            continue
        for r in renderings:
            if r.rendering != entry.required:
                yield Finding(segments[r.index].where, NAME, _rendered_message(renderings[0].german, counts, entry.required), WARNING)


def _rendered_message(german: str, counts: Counter, first: str = "") -> str:
    """The renderings, most used first (on a tie, `first`: the glossary's)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0] != first))
    ways = ", ".join(f"{rendering!r} {count}×" for rendering, count in ordered)
    return f"„{german}“ is rendered in different ways: {ways}"


def _noun_renderings(segments, words: list[_Words]) -> Iterator[Finding]:
    """Non-glossary nouns with a dominant rendering and a positive alternative (see the module docstring)."""
    non_initial = {key for w in words for key in w.german if not key.startswith("^")}
    german_segments: dict[str, set[int]] = defaultdict(set)
    english_segments: dict[str, set[int]] = defaultdict(set)
    for index, w in enumerate(words):
        for key in w.german:
            german_segments[key.lstrip("^")].add(index)
        for stem in w.english:
            english_segments[stem].add(index)
    dominant = {}
    for key, where in german_segments.items():
        if key not in non_initial or len(where) < MIN_OCCURRENCES:
            continue  # too rare, or capitalised only at sentence start (not known to be a noun)
        counts = Counter(stem for index in where for stem in words[index].english)
        if not counts:
            continue
        (best, best_count), *rest = counts.most_common(2) + [(None, 0)]
        if best_count < 2 or len(where) - best_count > max(1, len(where) // 3) or rest[0][1] == best_count:
            continue
        if len(english_segments[best] - where) > best_count // 2:
            continue  # also common where the noun is not: not its rendering
        dominant[key] = best
    accounted = set(dominant.values())
    for key, best in dominant.items():
        where = german_segments[key]
        with_best = where & english_segments[best]
        beside_best = {stem for index in with_best for stem in words[index].english}
        alternatives: dict[int, str] = {}
        for index in sorted(where - with_best):
            position = _german_word(words[index], key)[1]
            candidates = [
                (abs(relative - position), surface)
                for stem, (surface, relative) in words[index].english.items()
                if stem not in beside_best and stem not in accounted and english_segments[stem] <= where
                and abs(relative - position) <= MAX_POSITION_SHIFT
            ]
            if candidates:
                alternatives[index] = min(candidates)[1]
        if not alternatives:
            continue
        best_surface = Counter(words[i].english[best][0].casefold() for i in with_best).most_common(1)[0][0]
        counts = Counter({best_surface: len(with_best)})
        counts.update(surface.casefold() for surface in alternatives.values())
        german = _german_word(words[min(with_best)], key)[0]
        for index in alternatives:
            yield Finding(segments[index].where, NAME, _rendered_message(german, counts), WARNING)


def _german_word(words: _Words, key: str) -> tuple[str, float]:
    return words.german.get(key) or words.german["^" + key]


def consistent_renderings(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Inconsistent translations across all the segments given (see the module docstring)."""
    yield from same_german_translated_differently(segments)
    yield from same_english_for_different_german(segments)
    translated = [s for s in segments if s.en.strip()]
    stemmers = _stemmers()
    matches_by_segment, words = [], []
    for segment in translated:
        matches, german_spans, english_spans = _glossary_spans(segment, context)
        matches_by_segment.append(matches)
        words.append(_segment_words(segment, stemmers, german_spans, english_spans))
    yield from _glossary_renderings(translated, matches_by_segment)
    yield from _noun_renderings(translated, words)
