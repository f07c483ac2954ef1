"""Enforcing the glossary in decoding, from what CTranslate2 offers (it has no constrained beam search).

For each sentence whose German contains glossary terms, the English must contain each required
rendering and none of the forbidden variants. Strategies, cheapest first, each batched over all
sentences that still need it:

1. natural   the first-pass translation already satisfies the term;
2. n-best    another hypothesis of a wider beam (forbidden variants suppressed) satisfies more terms;
3. prefix    the decoder is forced through the target text up to where the term aligns (attention),
             plus the glossary rendering, and finishes the sentence itself;
4. replaced  last resort: the aligned target words (or a forbidden variant) are replaced by the
             rendering, and the segment is flagged;
otherwise MISSING, and the segment stays fuzzy with a note for the reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from translate.document.model import Segment
from translate.engine.engine import Engine, Hypothesis
from translate.glossary.model import Entry, Glossary

NATURAL, NBEST, PREFIX, REPLACED, MISSING = "natural", "n-best", "prefix", "replaced", "MISSING"
STRATEGIES = (NATURAL, NBEST, PREFIX, REPLACED, MISSING)


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


@dataclass
class _Sentence:
    """Working state for one sentence with glossary matches."""

    text: str
    matches: list  # glossary Match objects (entry, start, end, text)
    english: str
    hypothesis: Hypothesis | None = None
    how: dict[int, str] = field(default_factory=dict)  # match index → strategy that satisfied it
    prefix_tried: set[int] = field(default_factory=set)

    def unsatisfied(self) -> list[int]:
        return [j for j in range(len(self.matches)) if j not in self.how]


def required_text(entry: Entry) -> str:
    return entry.de if entry.kind == "keep" else entry.en


def satisfied(entry: Entry, english: str) -> bool:
    from translate.glossary.constraints import forbidden_found, rendering_present

    return rendering_present(entry, english) and not forbidden_found(entry, english)


class GlossaryEnforcer:
    """Matches a glossary in each segment and makes the English honour it."""

    def __init__(self, glossary: Glossary, *, nbest: int = 8):
        from translate.glossary.matcher import GlossaryMatcher

        self.glossary = glossary
        self.matcher = GlossaryMatcher(glossary)
        self.nbest = nbest

    def enforce(
        self, engine: Engine, segments: Sequence[Segment], english: Sequence[str]
    ) -> list[tuple[str, tuple[TermOutcome, ...]]]:
        states = [_Sentence(s.text, list(self.matcher.match(s.text)), e) for s, e in zip(segments, english)]
        for state in states:
            self._mark(state, state.english, NATURAL)
        self._try_nbest(engine, [s for s in states if s.unsatisfied()])
        for _ in range(max((len(s.matches) for s in states), default=0)):
            pending = [s for s in states if set(s.unsatisfied()) - s.prefix_tried]
            if not pending:
                break
            self._try_prefix(engine, pending)
        for state in states:
            if state.unsatisfied():
                self._replace(engine, state)
        return [(state.english, self._outcomes(state)) for state in states]

    def _mark(self, state: _Sentence, english: str, how: str) -> int:
        """Record which unsatisfied terms `english` satisfies; return how many terms it satisfies in all."""
        count = 0
        for j, match in enumerate(state.matches):
            if satisfied(match.entry, english):
                count += 1
                state.how.setdefault(j, how)
        return count

    def _score(self, state: _Sentence, english: str) -> int:
        return sum(satisfied(m.entry, english) for m in state.matches)

    def _forbidden(self, states: Sequence[_Sentence]) -> list[str]:
        variants = {v for s in states for m in s.matches for v in m.entry.forbidden}
        return sorted(variants)

    def _try_nbest(self, engine: Engine, states: list[_Sentence]) -> None:
        if not states:
            return
        lists = engine.translate(
            [s.text for s in states],
            num_hypotheses=self.nbest,
            beam_size=self.nbest,
            return_attention=True,
            suppress=self._forbidden(states),
        )
        for state, hypotheses in zip(states, lists):
            if not hypotheses:
                continue
            current = self._score(state, state.english)
            best = max(hypotheses, key=lambda h: (self._score(state, h.text), h.score))
            if self._score(state, best.text) > current:
                state.english = best.text
                self._mark(state, best.text, NBEST)
                state.hypothesis = best
            else:
                # keep the first-pass text but remember an aligned hypothesis for the next steps
                same = [h for h in hypotheses if h.text == state.english]
                state.hypothesis = same[0] if same else hypotheses[0]

    def _try_prefix(self, engine: Engine, states: list[_Sentence]) -> None:
        prefixes, targets = [], []
        for state in states:
            j = min(set(state.unsatisfied()) - state.prefix_tried)
            state.prefix_tried.add(j)
            targets.append(j)
            prefixes.append(self._prefix_for(engine, state, state.matches[j]))
        lists = engine.translate(
            [s.text for s in states],
            target_prefixes=prefixes,
            return_attention=True,
            suppress=self._forbidden(states),
        )
        for state, j, hypotheses in zip(states, targets, lists):
            if not hypotheses:
                continue
            candidate = hypotheses[0]
            before = self._score(state, state.english)
            if satisfied(state.matches[j].entry, candidate.text) and self._score(state, candidate.text) > before:
                state.english = candidate.text
                state.hypothesis = candidate
                self._mark(state, candidate.text, PREFIX)

    def _prefix_for(self, engine: Engine, state: _Sentence, match) -> str:
        rendering = required_text(match.entry)
        hypothesis = state.hypothesis
        if hypothesis is None or not hypothesis.attention:
            return _capitalised(rendering)
        start, _ = aligned_span(engine, state.text, match, hypothesis)
        if start is None:
            start = _most_attended(engine, state.text, match, hypothesis)
        head = engine.decode(hypothesis.pieces[:start]).rstrip()
        return f"{head} {rendering}" if head else _capitalised(rendering)

    def _replace(self, engine: Engine, state: _Sentence) -> None:
        for j in state.unsatisfied():
            entry = state.matches[j].entry
            rendering = required_text(entry)
            text = state.english
            for variant in sorted(entry.forbidden, key=len, reverse=True):
                text = _replace_words(text, variant, rendering)
            if not satisfied(entry, text) and state.hypothesis is not None and state.hypothesis.text == state.english:
                start, end = aligned_span(engine, state.text, state.matches[j], state.hypothesis)
                if start is not None:
                    pieces = state.hypothesis.pieces
                    head = engine.decode(pieces[:start]).rstrip()
                    tail = engine.decode(pieces[end:]).strip()
                    word = rendering if head else _capitalised(rendering)
                    text = " ".join(p for p in (head, word) if p) + _join_tail(tail)
            if satisfied(entry, text) and self._score(state, text) >= self._score(state, state.english):
                state.english = text
                state.hypothesis = None
                state.how[j] = REPLACED
            else:
                state.how[j] = MISSING

    def _outcomes(self, state: _Sentence) -> tuple[TermOutcome, ...]:
        return tuple(
            TermOutcome(
                de=m.entry.de,
                en=required_text(m.entry),
                found=m.text,
                start=m.start,
                end=m.end,
                how=state.how.get(j, MISSING),
            )
            for j, m in enumerate(state.matches)
        )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join_tail(tail: str) -> str:
    if not tail:
        return ""
    return tail if tail[0] in ".,;:!?'’)»“”\"" else " " + tail


def _replace_words(text: str, variant: str, rendering: str) -> str:
    import re

    return re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", rendering, text)


def source_piece_indices(engine: Engine, sentence: str, start: int, end: int) -> list[int]:
    """Indices of the SentencePiece pieces of `sentence` that overlap characters start..end."""
    return [i for i, (_, s, e) in enumerate(engine.encode_with_offsets(sentence)) if s < end and e > start]


def aligned_span(engine: Engine, sentence: str, match, hypothesis: Hypothesis) -> tuple[int | None, int | None]:
    """Target pieces [start, end) whose strongest attention falls on the matched source term, widened to words."""
    sources = set(source_piece_indices(engine, sentence, match.start, match.end))
    if not sources or not hypothesis.attention:
        return None, None
    aligned = [
        t for t, row in enumerate(hypothesis.attention) if row and max(range(len(row)), key=row.__getitem__) in sources
    ]
    if not aligned:
        return None, None
    return _word_bounds(hypothesis.pieces, min(aligned), max(aligned) + 1)


def _most_attended(engine: Engine, sentence: str, match, hypothesis: Hypothesis) -> int:
    sources = source_piece_indices(engine, sentence, match.start, match.end)
    weights = [sum(row[s] for s in sources if s < len(row)) for row in hypothesis.attention]
    best = max(range(len(weights)), key=weights.__getitem__) if weights else 0
    return _word_bounds(hypothesis.pieces, best, best + 1)[0]


def _word_bounds(pieces: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """Widen a piece range to whole words (a word starts with a piece beginning with ▁)."""
    while start > 0 and not pieces[start].startswith("▁"):
        start -= 1
    while end < len(pieces) and not pieces[end].startswith("▁") and pieces[end][:1].isalnum():
        end += 1
    return start, end
