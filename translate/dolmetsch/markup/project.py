"""Inline markup carried into the translation through word alignment.

The model translates a sentence as plain text; each inline element of the German is then put
around the English words its German words align to (the decoder's attention, merged from pieces
into words). No library does this projection, so it is written here, in four steps:

1. links: an English word links to the German words holding at least `LINK_SHARE` of its strongest
   weight; a German word left without a link takes its strongest English word (if any weight).
2. each element with text gets the English word range from its first to its last linked word.
   Where nothing links, or the range swallows English words linked only outside the element,
   the element falls back to the heaviest contiguous run of its linked words, or to the word
   range at the same relative position, and is reported as a fallback.
3. ranges are fitted into their German parent's range and crossings with elements placed
   earlier are cut away (keeping the side with more alignment weight), so the result nests.
4. word ranges become character spans; punctuation and spaces the German span held at its edges
   are taken in when the English has the same shape there. Void and empty elements go right after
   the English word aligned to the German word before them (or at the start, or at the end); where
   the German has white space before a void element and that English word touches it, a space is
   put into the English there (an address or a name kept as it is must not run into a word).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from dolmetsch.document.inline import MarkedText, Span

LINK_SHARE = 0.5
"""An English word links to every German word with at least this share of its strongest weight."""

WORD = re.compile(r"\w+(?:['’-]\w+)*")
"""A word: spans never cut one (`Kim-Jong`, `Kim's` are one word each)."""

Range = tuple[int, int]


def word_ranges(text: str) -> list[Range]:
    """Character ranges of the words of `text`, in order."""
    return [m.span() for m in WORD.finditer(text)]


@dataclass(frozen=True)
class Alignment:
    """Links between the German and the English tokens (pieces or words) of one sentence.

    `source_ranges`/`target_ranges` are each token's character range in its text; `weights[t][s]`
    weighs English token t against German token s. Tokens need not be words: pieces of one word
    are merged into it by their ranges when the alignment is used.
    """

    source_ranges: tuple[Range, ...]
    target_ranges: tuple[Range, ...]
    weights: tuple[tuple[float, ...], ...]

    @classmethod
    def from_attention(cls, source_ranges: Sequence[Range], target_ranges: Sequence[Range], weights) -> Alignment:
        """From decoder attention `weights[t][s]` (a nested sequence or an array; rows may run past
        the ranges, e.g. an end-of-sentence piece, and are cut; missing cells count as 0)."""
        rows = []
        for t in range(len(target_ranges)):
            row = weights[t] if t < len(weights) else ()
            rows.append(tuple(float(row[s]) if s < len(row) else 0.0 for s in range(len(source_ranges))))
        return cls(tuple(map(tuple, source_ranges)), tuple(map(tuple, target_ranges)), tuple(rows))

    @classmethod
    def from_pairs(cls, source_ranges: Sequence[Range], target_ranges: Sequence[Range], pairs) -> Alignment:
        """From hard links: `pairs` of (German token index, English token index)."""
        rows = [[0.0] * len(source_ranges) for _ in target_ranges]
        for s, t in pairs:
            rows[t][s] = 1.0
        for row in rows:
            total = sum(row)
            if total:
                row[:] = [w / total for w in row]
        return cls(tuple(map(tuple, source_ranges)), tuple(map(tuple, target_ranges)), tuple(map(tuple, rows)))

    def word_weights(self, source_words: Sequence[Range], target_words: Sequence[Range]) -> list[list[float]]:
        """`weights` summed over the pieces of each German word, averaged over the pieces of each English word."""
        to_source = [_overlapping(r, source_words) for r in self.source_ranges]
        to_target = [_overlapping(r, target_words) for r in self.target_ranges]
        matrix = [[0.0] * len(source_words) for _ in target_words]
        share = [0.0] * len(target_words)
        for t, targets in enumerate(to_target):
            for tw in targets:
                share[tw] += 1 / len(targets)
                row = matrix[tw]
                for s, sources in enumerate(to_source):
                    weight = self.weights[t][s] / len(targets)
                    if weight:
                        for sw in sources:
                            row[sw] += weight / len(sources)
        return [[w / share[tw] for w in row] if share[tw] else row for tw, row in enumerate(matrix)]


def _overlapping(token: Range, words: Sequence[Range]) -> list[int]:
    start, end = token
    return [i for i, (a, b) in enumerate(words) if a < end and b > start]


@dataclass(frozen=True)
class Projection:
    """The English with the German's elements placed; `fallbacks`: ids placed without confident alignment."""

    marked: MarkedText
    fallbacks: tuple[int, ...]


def project(source: MarkedText, english: str, alignment: Alignment) -> Projection:
    """Place `source`'s inline elements on `english`, following `alignment` (German → English tokens)."""
    if source.plain:
        return Projection(MarkedText(english, (), source.tags), ())
    placer = _Placer(source, english, alignment)
    for span in source.spans:  # elements with text
        if span.start != span.end:
            placer.place_text(span)
    for span in source.spans:  # edges: punctuation and spaces the German element held
        if span.start != span.end and span.id in placer.placed:
            placer.widen(span)
    spaces: set[int] = set()  # English offsets where a void element needs a space before it
    for span in source.spans:  # void and empty elements
        if span.start == span.end:
            spaces |= placer.place_point(span)
    chars = placer.chars
    marked = _marked(english, chars, source)
    spaced = _marked(*_spaced(english, chars, spaces, {s.id for s in source.spans if s.start == s.end}), source)
    return Projection(marked if spaced.problems() else spaced, tuple(sorted(placer.fallbacks)))


class _Placer:
    """The elements of one sentence as `project` places them on the English, step by step: each step
    reads the words, their links and what earlier steps placed (English word ranges of the elements
    with text, `placed`; character spans of all, `chars`; ids placed without confidence, `fallbacks`)."""

    def __init__(self, source: MarkedText, english: str, alignment: Alignment):
        self.source, self.english, self.german = source, english, source.text
        self.source_words, self.target_words = word_ranges(self.german), word_ranges(english)
        self.weights = alignment.word_weights(self.source_words, self.target_words)
        self.links = _links(self.weights, len(self.source_words))
        self.parents = _parents(source)
        self.fallbacks: set[int] = set()
        self.placed: dict[int, Range] = {}  # word ranges of elements with text, English
        self.chars: dict[int, Range] = {}

    def _words(self, span: Span) -> list[int]:
        """The German words the element's span touches."""
        return [i for i, (a, b) in enumerate(self.source_words) if a < span.end and b > span.start]

    def place_text(self, span: Span) -> None:
        """An element with text: over the English words aligned to its German words, within its
        parent and not crossing an element placed before it."""
        target_words, weights = self.target_words, self.weights
        if not target_words:  # nothing to choose from: the whole English, or nothing
            self.chars[span.id] = (0, len(self.english))
            self.fallbacks.add(span.id)
            return
        words = self._words(span)
        wanted, confident = _wanted(words, self.links, weights, len(target_words), span, len(self.german))
        parent = self.parents.get(span.id)
        if parent in self.placed:
            low, high = self.placed[parent]
            fitted = (max(wanted[0], low), min(wanted[1], high))
            if fitted[0] >= fitted[1]:
                fitted, confident = _best_word(range(low, high), words, weights), False
            wanted = fitted
        wanted = _uncross(wanted, span.id, self.placed, self.parents, words, weights)
        if not any(sw in words for t in range(*wanted) for sw in self.links[t]):
            confident = False
        self.placed[span.id] = wanted
        self.chars[span.id] = (target_words[wanted[0]][0], target_words[wanted[1] - 1][1])
        if not confident:
            self.fallbacks.add(span.id)

    def widen(self, span: Span) -> None:
        """Take in the punctuation and spaces the German element held at its edges, where the English
        has the same shape there and the element still nests."""
        words = self._words(span)
        if not words:
            return
        german, english, chars = self.german, self.english, self.chars
        start, end = chars[span.id]
        lead = german[span.start : max(span.start, self.source_words[words[0]][0])]
        trail = german[min(span.end, self.source_words[words[-1]][1]) : span.end]
        wider = (start - _shape_match(lead[::-1], english[:start][::-1]), end + _shape_match(trail, english[end:]))
        if all(_nest(wider, other) for i, other in chars.items() if i != span.id):
            chars[span.id] = wider

    def place_point(self, span: Span) -> set[int]:
        """A void or empty element: after the English word aligned to the German word before it,
        within its parent; the offsets where a void one needs a space put in before it."""
        position, confident = _point(span.start, self.german, self.english, self.source_words, self.target_words, self.links)
        parent = self.parents.get(span.id)
        if parent in self.chars:
            low, high = self.chars[parent]
            position = min(max(position, low), high)
        self.chars[span.id] = (position, position)
        if not confident:
            self.fallbacks.add(span.id)
        if self.source.tag(span.id).void:
            return _spaces(span.start, self.german, position, self.english)
        return set()


def _marked(english: str, chars: dict[int, Range], source: MarkedText) -> MarkedText:
    spans = tuple(sorted((Span(i, a, b) for i, (a, b) in chars.items()), key=lambda s: (s.start, -s.end, s.id)))
    return MarkedText(english, spans, source.tags)


def _spaces(german_at: int, german: str, at: int, english: str) -> set[int]:
    """The space a void element at English `at` needs before it: where the German has white space
    before it and the English word it follows touches it (`the agency<1/>.` is `the agency <1/>.`,
    as `die Agentur <1/>.`). After it the English already has what follows the word it follows."""
    if german[german_at - 1 : german_at].isspace() and at and WORD.match(english[at - 1]):
        return {at}
    return set()


def _spaced(english: str, chars: dict[int, Range], spaces: set[int], points: set[int]) -> tuple[str, dict[int, Range]]:
    """The English with a space put in at each offset of `spaces`, each element moved with its
    characters: an element at a point goes after the space, one with text keeps it outside."""
    offsets = sorted(spaces)

    def moved(position: int, past: bool) -> int:
        return position + sum(1 for at in offsets if at < position or (past and at == position))

    placed = {id: (moved(start, True),) * 2 if id in points else (moved(start, True), moved(end, False))
              for id, (start, end) in chars.items()}
    out, last = [], 0
    for at in offsets:
        out += [english[last:at], " "]
        last = at
    return "".join(out) + english[last:], placed


def _links(weights: list[list[float]], source_count: int) -> list[set[int]]:
    """For each English word, the German words it links to."""
    links: list[set[int]] = []
    for row in weights:
        strongest = max(row, default=0.0)
        links.append({s for s, w in enumerate(row) if w > 0 and w >= LINK_SHARE * strongest})
    linked = set().union(*links) if links else set()
    for s in range(source_count):
        if s in linked:
            continue
        column = [row[s] for row in weights]
        if column and max(column) > 0:
            links[column.index(max(column))].add(s)
    return links


def _wanted(
    words: list[int], links: list[set[int]], weights: list[list[float]], target_count: int, span: Span, german_length: int
) -> tuple[Range, bool]:
    """The English word range an element with text asks for, and whether alignment gave it confidently."""
    own = set(words)
    targets = [t for t in range(target_count) if links[t] & own]
    if targets:
        start, end = targets[0], targets[-1] + 1
        intruders = sum(1 for t in range(start, end) if links[t] and not links[t] & own)
        if intruders <= len(targets) // 2 and end - start <= 2 * max(len(words), len(targets)) + 2:
            return (start, end), True
        runs: list[list[int]] = []
        for t in targets:
            if runs and t == runs[-1][-1] + 1:
                runs[-1].append(t)
            else:
                runs.append([t])
        best = max(runs, key=lambda run: sum(weights[t][s] for t in run for s in own))
        return (best[0], best[-1] + 1), False
    source_count = max((len(weights[0]) if weights else 0), 1)
    if words:
        start = math.floor(words[0] * target_count / source_count)
        end = start + max(1, round(len(words) * target_count / source_count))
    else:
        start = math.floor((span.start + span.end) / 2 / max(german_length, 1) * target_count)
        end = start + 1
    start = min(start, target_count - 1)
    return (start, max(start + 1, min(end, target_count))), False


def _best_word(candidates: range, words: list[int], weights: list[list[float]]) -> Range:
    """The English word of `candidates` that weighs most towards `words` (the first on a tie)."""
    best = max(candidates, key=lambda t: (sum(weights[t][s] for s in words), -t))
    return best, best + 1


def _uncross(wanted: Range, id: int, placed: dict[int, Range], parents: dict[int, int], words: list[int], weights) -> Range:
    """Cut `wanted` until it nests with every element placed before it (none of which lies inside it in German)."""
    ancestors = set()
    p = parents.get(id)
    while p is not None:
        ancestors.add(p)
        p = parents.get(p)

    def weight(r: Range) -> float:
        return sum(weights[t][s] for t in range(*r) for s in words)

    changed = True
    while changed:
        changed = False
        for other, (k, l) in placed.items():
            i, j = wanted
            if other in ancestors or not (i < k < j < l or k < i < l < j):
                continue
            outside, inside = ((i, k), (k, j)) if i < k else ((l, j), (i, l))
            wanted = inside if weight(inside) > weight(outside) else outside
            changed = True
    return wanted


def _nest(a: Range, b: Range) -> bool:
    """Two character spans nest or do not overlap (an empty one always fits)."""
    if a[0] == a[1] or b[0] == b[1]:
        return True
    return a[1] <= b[0] or b[1] <= a[0] or (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])


def _shape_match(german: str, english: str) -> int:
    """How many leading characters of `english` have the shape of `german`'s: space for space, a quote
    for a quote (`„` for `"`), a bracket for a bracket, other punctuation for other punctuation."""
    n = 0
    for g, e in zip(german, english):
        if WORD.match(e) or _shape(g) != _shape(e):
            break
        n += 1
    return n


QUOTES = "\"'„“”‚‘’«»‹›"


def _shape(char: str) -> str:
    if char.isspace():
        return "space"
    if char in QUOTES or unicodedata.category(char) in ("Pi", "Pf"):
        return "quote"
    return {"Ps": "open", "Pe": "close"}.get(unicodedata.category(char), "mark")


def _point(
    position: int, german: str, english: str, source_words: list[Range], target_words: list[Range], links: list[set[int]]
) -> tuple[int, bool]:
    """Where a void or empty element at German `position` goes in the English, and whether alignment placed it."""
    if position >= len(german):
        return len(english), True
    before = [s for s, (a, b) in enumerate(source_words) if a < position]
    if not before:
        return _shape_match(german[:position], english), True
    for s in reversed(before):
        aligned = [t for t, linked in enumerate(links) if s in linked]
        if aligned:
            anchor = target_words[aligned[-1]][1]
            gap = german[source_words[s][1] : position] if s == before[-1] else ""
            return anchor + _shape_match(gap, english[anchor:]), s == before[-1]
    return 0, False


def _parents(marked: MarkedText) -> dict[int, int]:
    """Each element's innermost enclosing element with text, in the reading order of `MarkedText.events`."""
    parents: dict[int, int] = {}
    stack: list[int] = []
    for position, kind, tag in marked.events():
        if kind == "close":
            if stack and stack[-1] == tag.id:
                stack.pop()
            continue
        if stack:
            parents[tag.id] = stack[-1]
        if kind == "open":
            stack.append(tag.id)
    return parents
