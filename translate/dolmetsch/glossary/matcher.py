"""Find glossary entries in German sentences, inflected forms included.

German inflects names and terms („Putins“, „des Kremls“, „dem nordkoreanischen Machthaber“), so a
verbatim search misses most occurrences. Each word is reduced to a small set of *keys*: its
case-folded form, its simplemma lemma, and — only when simplemma leaves the word unchanged, which
is what happens with words it does not know (`Putins`, `Kims`, `nordkoreanischer`) or knows only
as they stand (`Russlands`) — the word with one ending removed:

* genitive/plural `-s`/`-es` on capitalised words (names and nouns): Putins → Putin;
* adjective endings `-e`, `-em`, `-en`, `-er`, `-es`, leaving at least four letters:
  nordkoreanischer → nordkoreanisch.

A sentence word matches an entry word when their key sets share a key and the case rule holds:
the first letter's case is significant (German capitalises nouns and names, so `Weg` is not
`weg`), except that a lower-case entry word may be capitalised at the start of a sentence or when
the word is written in capitals. `keep` entries and `match=exact` entries are compared verbatim.

Multi-word entries match runs of words separated as in the entry (space for space, hyphen for
hyphen). Overlapping candidates are resolved longest first (more words, then more characters),
then leftmost, so „Wladimir Putin“ wins over „Putin“.

Entries are indexed in a trie, word by word, so matching a sentence costs a few dictionary
look-ups per word plus the candidates actually found — independent of glossary size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from dolmetsch.glossary.wordforms import lemmatize
from dolmetsch.glossary.model import Entry, Glossary

WORD = re.compile(r"\w+")
HYPHENS = frozenset("-‐‑")
SENTENCE_OPENERS = frozenset('.!?:„“"«»‚‘›‹')
GENITIVE_ENDINGS = ("es", "s")
ADJECTIVE_ENDINGS = ("em", "en", "er", "es", "e")
MIN_STEM = 4
KEY_CACHE_SIZE = 1 << 16


@dataclass(frozen=True)
class Match:
    """An entry found in a sentence: `sentence[start:end] == text`."""

    entry: Entry
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    gap: str
    """The characters between the previous word and this one ('' for the first word)."""

    @property
    def sentence_initial(self) -> bool:
        return self.start == len(self.gap) or any(char in SENTENCE_OPENERS for char in self.gap)


def tokenize(text: str) -> list[Token]:
    """Words with their exact character offsets; punctuation and spaces stay in the gaps."""
    tokens: list[Token] = []
    previous_end = 0
    for found in WORD.finditer(text):
        tokens.append(Token(found.group(), found.start(), found.end(), text[previous_end : found.start()]))
        previous_end = found.end()
    return tokens


def case_agrees(entry_word: str, word: str, sentence_initial: bool) -> bool:
    """First-letter case must agree, except a lower-case entry word at sentence start or in CAPS."""
    if entry_word[0].isupper() == word[0].isupper():
        return True
    if entry_word[0].islower():
        return sentence_initial or (len(word) > 1 and word.isupper())
    return len(word) > 1 and word.isupper()


def _stripped_forms(word: str) -> set[str]:
    """The documented fallback endings, for words simplemma leaves unchanged."""
    forms: set[str] = set()
    if word[0].isupper():
        for ending in GENITIVE_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                forms.add(word[: -len(ending)])
    lower = word.lower()
    for ending in ADJECTIVE_ENDINGS:
        if lower.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            forms.add(word[: -len(ending)])
    return forms


def word_keys(word: str) -> frozenset[str]:
    """Case-folded forms under which `word` is looked up (see the module docstring)."""
    folded = word.casefold()
    keys = {folded}
    lemma = lemmatize(word).casefold()
    keys.add(lemma)
    if word[:1].isupper() and word[1:].islower():
        keys.add(lemmatize(word.lower()).casefold())
    if keys == {folded}:
        keys.update(form.casefold() for form in _stripped_forms(word))
    return frozenset(keys)


@dataclass(frozen=True)
class _Pattern:
    """An entry prepared for matching: its words and, unless verbatim, their keys."""

    entry: Entry
    order: int
    words: tuple[str, ...]

    @property
    def verbatim(self) -> bool:
        return self.entry.verbatim


class _Node:
    """A trie node: children by (gap class, key) — just key for the first word — and the
    patterns whose last word ends here."""

    __slots__ = ("children", "patterns")

    def __init__(self) -> None:
        self.children: dict[object, _Node] = {}
        self.patterns: list[_Pattern] = []


def _insert(root: _Node, edges: list[list[object]], pattern: _Pattern) -> None:
    """Add `pattern` under every path its words' keys spell (one word may have several keys)."""
    nodes = [root]
    for word_edges in edges:
        reached: dict[int, _Node] = {}
        for node in nodes:
            for edge in word_edges:
                child = node.children.setdefault(edge, _Node())
                reached[id(child)] = child
        nodes = list(reached.values())
    for node in nodes:
        node.patterns.append(pattern)


def gap_class(gap: str) -> str:
    """What must agree between entry and sentence: any white space, any hyphen, or the gap itself."""
    if gap.isspace():
        return " "
    if gap in HYPHENS:
        return "-"
    return gap


class GlossaryMatcher:
    """Finds glossary entries in German sentences (see the module docstring for the rules).

    Entries sit in a trie keyed word by word (lemma keys, or the exact words for verbatim
    entries), so a sentence is matched by walking the trie from each word: the work depends on
    the sentence and on how far its words run along entries, not on how many entries there are.
    """

    def __init__(self, glossary: Glossary | Iterable[Entry], *, cache_size: int = KEY_CACHE_SIZE):
        self._keys = lru_cache(maxsize=cache_size)(word_keys)
        self._lemma_root = _Node()
        self._verbatim_root = _Node()
        self.size = 0
        for order, entry in enumerate(glossary):
            tokens = tokenize(entry.de)
            if not tokens:
                continue
            pattern = _Pattern(entry, order, tuple(token.text for token in tokens))
            if pattern.verbatim:
                root, keys = self._verbatim_root, [[token.text] for token in tokens]
            else:
                root, keys = self._lemma_root, [sorted(self._keys(token.text)) for token in tokens]
            edges = [keys[0]] + [
                [(gap_class(token.gap), key) for key in alternatives]
                for token, alternatives in zip(tokens[1:], keys[1:])
            ]
            _insert(root, edges, pattern)
            self.size += 1

    def __len__(self) -> int:
        return self.size

    def match(self, sentence: str) -> list[Match]:
        """Non-overlapping matches in sentence order, longest first where they compete."""
        tokens = tokenize(sentence)
        keys = [self._keys(token.text) for token in tokens]
        words = [(token.text,) for token in tokens]
        gaps = [gap_class(token.gap) for token in tokens]
        candidates: dict[tuple[int, int, int], _Pattern] = {}
        for start in range(len(tokens)):
            for root, edges, verbatim in (
                (self._lemma_root, keys, False),
                (self._verbatim_root, words, True),
            ):
                for end, pattern in self._walk(root, edges, gaps, start):
                    if verbatim or self._case_agrees(pattern, tokens, start):
                        candidates[(start, end, pattern.order)] = pattern
        return self._select(
            [(start, end, pattern) for (start, end, _), pattern in candidates.items()], tokens, sentence
        )

    @staticmethod
    def _walk(root: _Node, edges: list, gaps: list[str], start: int) -> Iterator[tuple[int, _Pattern]]:
        """(end, pattern) for every entry whose words run from `start` along the trie."""
        stack = [(child, start + 1) for key in edges[start] if (child := root.children.get(key))]
        while stack:
            node, end = stack.pop()
            for pattern in node.patterns:
                yield end, pattern
            if end < len(edges) and node.children:
                gap = gaps[end]
                stack.extend(
                    (child, end + 1) for key in edges[end] if (child := node.children.get((gap, key)))
                )

    @staticmethod
    def _case_agrees(pattern: _Pattern, tokens: list[Token], start: int) -> bool:
        return all(
            case_agrees(
                entry_word, tokens[start + offset].text, offset == 0 and tokens[start].sentence_initial
            )
            for offset, entry_word in enumerate(pattern.words)
        )

    @staticmethod
    def _select(
        candidates: list[tuple[int, int, _Pattern]], tokens: list[Token], sentence: str
    ) -> list[Match]:
        def preference(candidate: tuple[int, int, _Pattern]) -> tuple:
            first, last, pattern = candidate
            chars = tokens[last - 1].end - tokens[first].start
            surface = sentence[tokens[first].start : tokens[last - 1].end]
            return (
                -(last - first),
                -chars,
                first,
                not pattern.verbatim,
                surface != pattern.entry.de,
                pattern.entry.status != "approved",
                pattern.order,
            )

        taken = [False] * len(tokens)
        chosen: list[Match] = []
        for first, last, pattern in sorted(candidates, key=preference):
            if any(taken[first:last]):
                continue
            taken[first:last] = [True] * (last - first)
            start, end = tokens[first].start, tokens[last - 1].end
            chosen.append(Match(pattern.entry, start, end, sentence[start:end]))
        return sorted(chosen, key=lambda match: match.start)
