"""Where a glossary term's English sits in a hypothesis: the piece range that renders it.

The forced-prefix and replacement strategies both need to know which target words translate a
source term. CTranslate2's attention is a noisy alignment, so spelling comes first for names the
model copies or transliterates (Nowosti/Novosti), attention second, and words that already carry
another satisfied term's rendering are never chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from dolmetsch.engine.engine import Engine, Hypothesis
from dolmetsch.glossary.constraints import rendering_spans
from dolmetsch.glossary.matcher import Match
from dolmetsch.glossary.model import Entry

SIMILAR_ENOUGH = 0.6
"""Spelling similarity (difflib ratio) above which a target word is taken as the term's rendering."""

PieceRange = tuple[int, int]


def locate_term(
    engine: Engine, sentence: str, hypothesis: Hypothesis, match: Match, protected_entries: Iterable[Entry] = ()
) -> tuple[int, int] | tuple[None, None]:
    """The piece range of `hypothesis` where the English for `match` (a term of `sentence`) belongs.

    Pieces spelling the renderings of `protected_entries` (terms already satisfied) are off limits.
    The target words spelled like the term win; then the contiguous run of words whose strongest
    attention falls on the term; failing that, the word that attends to it most.
    """
    sources = set(source_piece_indices(engine, sentence, match.start, match.end))
    # one-letter fragments (the genitive "s" of „Machthabers“) soak up stray attention: leave them out
    sources = {i for i in sources if len(hypothesis.source_pieces[i].lstrip("▁")) > 1} or sources
    attention = hypothesis.attention  # read once: converted from the decoder's result on first read
    if not sources or attention is None or not len(attention):
        return None, None
    protected = protected_pieces(engine, hypothesis, protected_entries)
    lexical = similar_words(engine, match, hypothesis, protected)
    if lexical is not None:
        return lexical
    candidates = [
        t
        for t, piece in enumerate(hypothesis.pieces)
        if t < len(attention) and t not in protected and piece.lstrip("▁")[:1].isalnum()
    ]
    if not candidates:
        return None, None

    def strongest(t: int) -> int:
        return int(attention[t].argmax())  # the first of equal maxima, as max() would

    def mass(t: int) -> float:
        row = attention[t]
        return sum(row[s] for s in sources if s < len(row))

    aligned = [t for t in candidates if strongest(t) in sources]
    if aligned:
        runs: list[list[int]] = []
        for t in aligned:  # contiguous runs; the strongest one is the term's rendering
            if runs and t == runs[-1][-1] + 1:
                runs[-1].append(t)
            else:
                runs.append([t])
        run = max(runs, key=lambda r: sum(mass(t) for t in r))
        return word_bounds(hypothesis.pieces, run[0], run[-1] + 1)
    best = max(candidates, key=mass)
    return word_bounds(hypothesis.pieces, best, best + 1)


def source_piece_indices(engine: Engine, sentence: str, start: int, end: int) -> list[int]:
    """Indices of the SentencePiece pieces of `sentence` that overlap characters start..end."""
    return [i for i, (_, s, e) in enumerate(engine.encode_with_offsets(sentence)) if s < end and e > start]


def similar_words(engine: Engine, match: Match, hypothesis: Hypothesis, protected: set[int]) -> PieceRange | None:
    """Target words spelled like the German term or its rendering (Nowosti/Novosti, Pjöngjang/Pjongjang).

    For names the model tends to copy or transliterate, spelling is a better alignment than attention.
    """
    words = word_ranges(hypothesis.pieces)
    # one matcher per wanted spelling: SequenceMatcher indexes its second sequence once
    matchers = [SequenceMatcher(None, "", w) for w in {match.text.casefold(), match.entry.required.casefold()}]
    size = len(match.text.split())
    best, best_ratio = None, SIMILAR_ENOUGH
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + size + 1) + 1):
            start, end = words[i][0], words[j - 1][1]
            if any(t in protected for t in range(start, end)):
                continue
            ratio = _best_ratio(matchers, engine.decode(hypothesis.pieces[start:end]).strip().casefold(), best_ratio)
            if ratio > best_ratio:
                best, best_ratio = (start, end), ratio
    return best


def _best_ratio(matchers: Sequence[SequenceMatcher], text: str, floor: float) -> float:
    """The highest similarity of `text` to a matcher's spelling, or `floor` if none exceeds it.

    The cheap upper bounds (real_quick_ratio, quick_ratio) rule most words out before the full
    ratio; the answer is the same as taking the full ratio of every one.
    """
    best = floor
    for matcher in matchers:
        matcher.set_seq1(text)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best


def word_ranges(pieces: Sequence[str]) -> list[PieceRange]:
    """Piece ranges of the alphanumeric words of a hypothesis."""
    words: list[PieceRange] = []
    for t, piece in enumerate(pieces):
        core = piece.lstrip("▁")
        if not core[:1].isalnum():
            continue
        if piece.startswith("▁") or not words or words[-1][1] != t:
            words.append((t, t + 1))
        else:
            words[-1] = (words[-1][0], t + 1)
    return words


def protected_pieces(engine: Engine, hypothesis: Hypothesis, entries: Iterable[Entry]) -> set[int]:
    """Pieces of the hypothesis that spell the renderings of `entries`."""
    found = [span for entry in entries for span in rendering_spans(entry, hypothesis.text)]
    if not found:
        return set()
    spans = piece_spans(engine, hypothesis.pieces)
    return {t for start, end in found for t, (a, b) in enumerate(spans) if a < end and b > start}


def piece_spans(engine: Engine, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character span of each piece in the decoded text."""
    spans, previous = [], 0
    for t in range(len(pieces)):
        length = len(engine.decode(pieces[: t + 1]))
        spans.append((previous, length))
        previous = length
    return spans


def word_bounds(pieces: Sequence[str], start: int, end: int) -> PieceRange:
    """Widen a piece range to whole words (a word starts with a piece beginning with ▁)."""
    while start > 0 and not pieces[start].startswith("▁"):
        start -= 1
    while end < len(pieces) and not pieces[end].startswith("▁") and pieces[end][:1].isalnum():
        end += 1
    return start, end
