"""Enforcing the glossary in decoding, from what CTranslate2 offers (it has no constrained beam search).

For each sentence whose German contains glossary terms, the English must contain each required
rendering and none of the forbidden variants. Strategies, cheapest first, each batched over all
sentences that still need it:

1. natural   the first-pass translation already satisfies the term;
2. n-best    another hypothesis of a wider beam (forbidden variants suppressed) satisfies more terms;
3. prefix    the decoder is forced through the target text up to where the term aligns (attention),
             plus the glossary rendering, and finishes the sentence itself; a sentence missing several
             terms is forced through all of them at once (each rendering put where its term aligns,
             up to the last one), and one term per decode only if that fails;
4. replaced  last resort: the aligned target words (or a forbidden variant) are replaced by the
             rendering, and the segment is flagged;
otherwise MISSING, and the segment stays fuzzy with a note for the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dolmetsch.document.model import Segment
from dolmetsch.engine.engine import Engine, Hypothesis
from dolmetsch.enforce.align import locate_term, word_ranges
from dolmetsch.glossary.constraints import plural_rendering, satisfied
from dolmetsch.glossary.matcher import Match, shared_matcher
from dolmetsch.glossary.model import Glossary
from dolmetsch.translation import KEPT, MISSING, NATURAL, NBEST, PREFIX, REPLACED, TermOutcome

@dataclass
class _Sentence:
    """Working state for one sentence with glossary matches."""

    text: str
    matches: list[Match]
    english: str
    hypothesis: Hypothesis  # the decoder output `english` came from, with attention
    how: dict[int, str] = field(default_factory=dict)  # match index → strategy that satisfied it
    prefix_tried: set[int] = field(default_factory=set)
    one_at_a_time: bool = False  # a prefix forcing several terms at once failed: force one per decode
    checked: dict[str, frozenset[int]] = field(default_factory=dict)  # English → the terms it satisfies

    def unsatisfied(self) -> list[int]:
        return [j for j in range(len(self.matches)) if j not in self.how]

    def satisfied_terms(self, english: str) -> frozenset[int]:
        """The match indices `english` satisfies; each English is checked once, however often asked."""
        found = self.checked.get(english)
        if found is None:
            found = self.checked[english] = frozenset(j for j, m in enumerate(self.matches) if satisfied(m.entry, english))
        return found

    def locate(self, engine: Engine, match: Match) -> tuple[int, int] | tuple[None, None]:
        """Where `match` renders in the current hypothesis, sparing terms it already satisfies."""
        done = [self.matches[j].entry for j in sorted(self.satisfied_terms(self.hypothesis.text))]
        return locate_term(engine, self.text, self.hypothesis, match, done)


class GlossaryEnforcer:
    """Matches a glossary in each segment and makes the English honour it."""

    def __init__(self, glossary: Glossary, *, nbest: int = 4, prefix_rounds: int = 3, prefix_beam: int = 1):
        """Enforcement's decoding costs, bounded so that the worst case (no term ever comes out by itself)
        stays within about twice a plain run:

        `nbest`: the width of the n-best list searched. The first pass's final beam is that list when
        it is as wide (the default beam of 4 is), so a second n-best pass runs only after a narrower
        first pass; a wider list costs a whole decode at that beam.
        `prefix_rounds`: forced decodes per sentence; the first forces every missing term that aligns,
        later ones what it left out or, if it failed, one term each. What none settles is replaced.
        `prefix_beam`: the beam that finishes a sentence after its forced prefix. The prefix already
        fixes the sentence up to the term; greedy decoding costs about half of beam 4 per piece on a CPU
        (Transformer-base, benchmarks/translation_speed.py).
        """
        self.glossary = glossary
        self.fingerprint = glossary.fingerprint()
        self.matcher = shared_matcher(glossary)
        self.nbest = nbest
        self.prefix_rounds = prefix_rounds
        self.prefix_beam = prefix_beam

    def enforce(
        self, engine: Engine, segments: Sequence[Segment], first_pass: Sequence[Sequence[Hypothesis]]
    ) -> list[tuple[str, tuple[TermOutcome, ...]]]:
        """Return, per segment, its English and how each matched term was honoured.

        `first_pass` holds each segment's hypotheses, best first, decoded with attention.
        """
        engine = _Remembering(engine)
        states = [
            _Sentence(s.text, list(self.matcher.match(s.text)), h[0].text, h[0]) for s, h in zip(segments, first_pass)
        ]
        for state in states:
            self._mark(state, state.english, NATURAL)
        for state, hypotheses in zip(states, first_pass):
            if state.unsatisfied():
                self._adopt_best(state, hypotheses[1:])
        if self.nbest > min((len(h) for h in first_pass), default=0):
            self._try_nbest(engine, [s for s in states if s.unsatisfied()])
        for _ in range(self.prefix_rounds):
            pending = [s for s in states if set(s.unsatisfied()) - s.prefix_tried]
            if not pending:
                break
            self._try_prefix(engine, pending)
        for state in states:
            if state.unsatisfied():
                self._replace(engine, state)
        return [(state.english, self._outcomes(state)) for state in states]

    def review(self, sentence: str, english: str) -> tuple[TermOutcome, ...]:
        """How a translation the run did not decode (a reviewed one) honours the glossary: KEPT or MISSING."""
        return tuple(
            TermOutcome(m.entry.de, m.entry.required, m.text, m.start, m.end, KEPT if satisfied(m.entry, english) else MISSING)
            for m in self.matcher.match(sentence)
        )

    def _mark(self, state: _Sentence, english: str, how: str) -> None:
        """Credit `how` with every term that `english` satisfies and no earlier strategy did."""
        for j in self._satisfied(state, english):
            state.how.setdefault(j, how)

    def _satisfied(self, state: _Sentence, english: str) -> frozenset[int]:
        return state.satisfied_terms(english)

    def _better(self, state: _Sentence, candidate: str, current: str) -> bool:
        """A candidate must keep every term the current text satisfies and satisfy at least one more."""
        return self._satisfied(state, candidate) > self._satisfied(state, current)

    def _forbidden(self, states: Sequence[_Sentence]) -> list[list[str]]:
        """Per sentence, the forbidden variants of its own terms: a sentence decodes as it would alone,
        whatever other sentences share the call (the decoder suppresses per batch)."""
        return [sorted({v for m in s.matches for v in m.entry.forbidden}) for s in states]

    def _try_nbest(self, engine: Engine, states: list[_Sentence]) -> None:
        if not states:
            return
        lists = engine.translate(
            [s.text for s in states],
            num_hypotheses=self.nbest,
            beam_size=self.nbest,
            return_attention=True,
            suppress_each=self._forbidden(states),
        )
        for state, hypotheses in zip(states, lists):
            self._adopt_best(state, hypotheses)

    def _adopt_best(self, state: _Sentence, hypotheses: Sequence[Hypothesis]) -> None:
        """Switch to the hypothesis that satisfies the most terms, if it beats the current one."""
        improving = [h for h in hypotheses if self._better(state, h.text, state.english)]
        if improving:
            best = max(improving, key=lambda h: (len(self._satisfied(state, h.text)), h.score))
            state.english = best.text
            state.hypothesis = best
            self._mark(state, best.text, NBEST)

    def _try_prefix(self, engine: Engine, states: list[_Sentence]) -> None:
        """One forced decode per sentence, all sentences in one batched call."""
        plans = [self._prefix_plan(engine, state) for state in states]
        lists = engine.translate(
            [s.text for s in states],
            target_prefixes=[prefix for prefix, _ in plans],
            beam_size=self.prefix_beam,
            num_hypotheses=1,
            return_attention=True,
            suppress_each=self._forbidden(states),
        )
        for state, (_, terms), hypotheses in zip(states, plans, lists):
            won = bool(hypotheses) and self._adopt_forced(state, terms, hypotheses[0])
            if not won and len(terms) > 1:
                state.one_at_a_time = True  # the terms stay untried, for single decodes in later rounds
            else:
                state.prefix_tried.update(terms)

    def _adopt_forced(self, state: _Sentence, terms: Sequence[int], candidate: Hypothesis) -> bool:
        """Take a forced decode that satisfies a term it forced and beats the current text.

        One the length guard cut is never taken over one that finished by itself.
        """
        if candidate.truncated and not state.hypothesis.truncated:
            return False
        if not any(satisfied(state.matches[j].entry, candidate.text) for j in terms):
            return False
        if not self._better(state, candidate.text, state.english):
            return False
        state.english = candidate.text
        state.hypothesis = candidate
        self._mark(state, candidate.text, PREFIX)
        return True

    def _prefix_plan(self, engine: Engine, state: _Sentence) -> tuple[str, list[int]]:
        """The forced prefix for a sentence's next decode, and the terms it forces.

        All untried missing terms that align without overlapping go into one prefix: the model's own
        words with each rendering in place of its term's, up to the last term in target order. One
        decode then settles what would otherwise take a decode per term.
        """
        untried = sorted(set(state.unsatisfied()) - state.prefix_tried)
        placed = [] if state.one_at_a_time or len(untried) < 2 else self._placements(engine, state, untried)
        if len(placed) < 2:
            j = untried[0]
            return self._prefix_for(engine, state, state.matches[j]), [j]
        pieces = state.hypothesis.pieces
        *before, (last_start, _, last) = placed
        edits = [(start, end, rendering_for(state.matches[j])) for start, end, j in before]
        head = _apply_edits(engine, pieces[:last_start], edits)
        rendering = rendering_for(state.matches[last])
        prefix = f"{head} {rendering}" if head else rendering
        return (_capitalised(prefix) if placed[0][0] == 0 else prefix), [j for _, _, j in placed]

    def _placements(self, engine: Engine, state: _Sentence, terms: Sequence[int]) -> list[tuple[int, int, int]]:
        """(start, end, match index) of the terms that align in the current hypothesis, in target
        order; a term whose words overlap an earlier term's is left out (for a later round)."""
        placed: list[tuple[int, int, int]] = []
        for j in terms:
            start, end = state.locate(engine, state.matches[j])
            if start is None or start == end or any(_conflict((start, end, ""), (a, b, "")) for a, b, _ in placed):
                continue
            placed.append((start, end, j))
        return sorted(placed)

    def _prefix_for(self, engine: Engine, state: _Sentence, match: Match) -> str:
        rendering = rendering_for(match)
        hypothesis = state.hypothesis
        start, _ = state.locate(engine, match)
        if start is None:
            return _capitalised(rendering)
        head = engine.decode(hypothesis.pieces[:start]).rstrip()
        return f"{head} {rendering}" if head else _capitalised(rendering)

    def _replace(self, engine: Engine, state: _Sentence) -> None:
        """Last resort: put each missing rendering where its source term aligns, then drop forbidden variants.

        Per term, in source order: replace the aligned words, else insert after or before them, taking
        the first edit that satisfies the term without losing a term already satisfied.
        """
        missing = state.unsatisfied()
        pieces = state.hypothesis.pieces
        accepted: list[tuple[int, int, str]] = []
        text = state.english
        for j in sorted(missing, key=lambda j: state.matches[j].start):
            match = state.matches[j]
            start, end = state.locate(engine, match)
            if start is None:  # nothing to align with: append after the last word
                words = word_ranges(pieces)
                start = end = words[-1][1] if words else 0
            rendering = rendering_for(match)
            for edit in ((start, end, rendering), (end, end, rendering), (start, start, rendering)):
                if any(_conflict(edit, other) for other in accepted):
                    continue
                trial = _finish(state.english, _apply_edits(engine, pieces, sorted(accepted + [edit])))
                if satisfied(match.entry, trial) and self._better(state, trial, text):
                    accepted.append(edit)
                    text = trial
                    break
        for j in missing:
            entry = state.matches[j].entry
            for variant in sorted(entry.forbidden, key=len, reverse=True):
                text = _replace_words(text, variant, entry.required)
        if self._better(state, text, state.english):
            state.english = text
        for j in missing:
            state.how[j] = REPLACED if satisfied(state.matches[j].entry, state.english) else MISSING

    def _outcomes(self, state: _Sentence) -> tuple[TermOutcome, ...]:
        final = self._satisfied(state, state.english)
        return tuple(
            TermOutcome(
                de=m.entry.de,
                en=m.entry.required,
                found=m.text,
                start=m.start,
                end=m.end,
                how=state.how.get(j, MISSING) if j in final else MISSING,
            )
            for j, m in enumerate(state.matches)
        )


class _Remembering:
    """The engine for one `enforce` call, remembering what it decoded and encoded.

    Aligning a term decodes every word window of a hypothesis, and each term of a sentence, each
    round, aligns against the same hypothesis: about one decode in six is new.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.decoded: dict[tuple[str, ...], str] = {}
        self.encoded: dict[str, list[tuple[str, int, int]]] = {}

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def decode(self, pieces: Sequence[str]) -> str:
        key = tuple(pieces)
        text = self.decoded.get(key)
        if text is None:
            text = self.decoded[key] = self.engine.decode(key)
        return text

    def encode_with_offsets(self, text: str) -> list[tuple[str, int, int]]:
        if text not in self.encoded:
            self.encoded[text] = self.engine.encode_with_offsets(text)
        return self.encoded[text]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _conflict(edit: tuple[int, int, str], other: tuple[int, int, str]) -> bool:
    """Two edits clash when one replaces pieces the other replaces or inserts into."""
    (a, b, _), (c, d, _) = edit, other
    if a == b:
        return c < a < d
    if c == d:
        return a < c < b
    return a < d and b > c


def _finish(original: str, text: str) -> str:
    return _capitalised(text) if original[:1].isupper() else text


def _apply_edits(engine: Engine, pieces: Sequence[str], edits: list[tuple[int, int, str]]) -> str:
    """Decode `pieces` with each (start, end) piece range replaced by its text."""
    parts, cursor = [], 0
    for start, end, replacement in edits:
        parts.append(engine.decode(pieces[cursor:start]).strip())
        parts.append(replacement)
        cursor = end
    parts.append(engine.decode(pieces[cursor:]).strip())
    text = ""
    for part in filter(None, parts):
        text = part if not text else text + ("" if part[0] in ".,;:!?'’)»“”" else " ") + part
    return text


def _replace_words(text: str, variant: str, rendering: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", rendering, text, flags=re.IGNORECASE)


PLURAL_ENDINGS = ("nen", "en", "er", "e", "n")
"""What German adds to a noun for its plural (Weltraumbahnhof → Weltraumbahnhöfe, Rakete → Raketen)."""
UMLAUTS = str.maketrans("äöüÄÖÜ", "aouAOU")


def german_plural(match: Match) -> bool:
    """Whether a noun term occurs in a plural form: an umlaut its base form lacks, or a plural
    ending beyond it (-s only after a vowel: Autos; else it is the genitive: des Bahnhofs).
    Plurals identical to the singular (die Machthaber) cannot be told from spelling and count as singular."""
    entry = match.entry
    if entry.kind != "term" or not entry.de[:1].isupper():
        return False  # names and keep terms do not inflect; lower-case German terms are not nouns
    found, base = match.text.split()[-1], entry.de.split()[-1]
    if found == base:
        return False
    if found.translate(UMLAUTS) != found and base.translate(UMLAUTS) == base:
        return True
    extra = found[len(base):] if found.startswith(base) else ""
    return extra in PLURAL_ENDINGS or (extra == "s" and base[-1:].lower() in "aeiouy")


def rendering_for(match: Match) -> str:
    """The text a forced prefix or a replacement puts in: the plural rendering for a plural German noun."""
    return plural_rendering(match.entry) if german_plural(match) else match.entry.required
