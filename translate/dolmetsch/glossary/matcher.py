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

Entries are indexed in a trie, word by word, so matching a sentence costs a few look-ups per
word plus the candidates actually found — independent of glossary size. Indexing a glossary
lemmatises every word of it, so it is done once per glossary in a run, however many matchers
the run makes, and the index is kept on disk for the next run (`index_cache`).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from dolmetsch.glossary.index_cache import INDEX_TYPECODE, TrieIndex, load_or_build
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.glossary.wordforms import lemmatize

WORD = re.compile(r"\w+")
HYPHENS = frozenset("-‐‑")
SENTENCE_OPENERS = frozenset('.!?:„“"«»‚‘›‹')
GENITIVE_ENDINGS = ("es", "s")
ADJECTIVE_ENDINGS = ("em", "en", "er", "es", "e")
MIN_STEM = 4
KEY_CACHE_SIZE = 1 << 16
SENTENCE_MEMO_SIZE = 1 << 13
"""How many sentences a matcher keeps the matches of. A run matches each sentence more than once
(before decoding, to find those that need enforcement; while enforcing; on the review page); the
first sentences seen are kept rather than the latest, so that a run bigger than the memo still
finds its first documents' sentences there instead of each evicting the next one it needs."""


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
    """An entry found along the trie: the entry, its position in the glossary and its words."""

    entry: Entry
    order: int
    words: tuple[str, ...]

    @property
    def verbatim(self) -> bool:
        return self.entry.verbatim


LEMMA_ROOT, VERBATIM_ROOT = 0, 1
"""The trie's two roots: entries matched by lemma keys, and verbatim entries matched by their words."""
SEP = "\x1f"


def symbol(gap: str, key: str) -> str:
    """What a trie edge reads: a word's key after a gap of class `gap` ('' for an entry's first word;
    a word after the first always follows a gap). Keys are word characters only, so no two
    (gap, key) pairs give the same symbol."""
    return f"{gap}{SEP}{key}"


def gap_class(gap: str) -> str:
    """What must agree between entry and sentence: any white space, any hyphen, or the gap itself."""
    if gap.isspace():
        return " "
    if gap in HYPHENS:
        return "-"
    return gap


def build_index(entries: Sequence[Entry]) -> TrieIndex:
    """Index entries word by word: from the lemma root by each word's keys, from the verbatim root
    by the words themselves. An entry goes under every path its words' keys spell (a word may have
    several keys). Nodes are numbers, and so are symbols (`symbols`: symbol(gap, key) → number);
    the edge from `node` over a symbol is the number node × len(symbols) + symbol, and `edges`
    lists them in order with the node each leads to in `targets`; `end_nodes` lists, in order,
    the nodes where an entry's last word ends, with that entry's position in `end_orders`.

    Sorted arrays of numbers, looked up by bisection: the index takes a few bytes per edge, holds
    nothing for the cycle collector to walk, and is read back from disk as it was written.
    """
    keys_of: dict[str, list[str]] = {}  # each distinct word lemmatised once, however large the glossary
    symbols: dict[str, int] = {}
    children: dict[tuple[int, int], int] = {}
    ends: list[tuple[int, int]] = []
    size = 0
    for order, entry in enumerate(entries):
        tokens = tokenize(entry.de)
        if not tokens:
            continue
        if entry.verbatim:
            nodes, keys = [VERBATIM_ROOT], [[token.text] for token in tokens]
        else:
            nodes, keys = [LEMMA_ROOT], []
            for token in tokens:
                found = keys_of.get(token.text)
                if found is None:
                    found = keys_of[token.text] = sorted(word_keys(token.text))
                keys.append(found)
        for position, (token, alternatives) in enumerate(zip(tokens, keys)):
            gap = gap_class(token.gap) if position else ""
            read = [symbols.setdefault(symbol(gap, key), len(symbols)) for key in alternatives]
            reached: dict[int, None] = {}
            for node in nodes:
                for number in read:
                    reached[children.setdefault((node, number), len(children) + 2)] = None
            nodes = list(reached)
        ends.extend((node, order) for node in nodes)
        size += 1
    stride = len(symbols)
    edges = sorted((node * stride + number, child) for (node, number), child in children.items())
    ends.sort()
    return TrieIndex(
        symbols,
        array(INDEX_TYPECODE, [edge for edge, _ in edges]),
        array(INDEX_TYPECODE, [child for _, child in edges]),
        array(INDEX_TYPECODE, [node for node, _ in ends]),
        array(INDEX_TYPECODE, [order for _, order in ends]),
        size,
    )


INDEX_MEMO = "matcher-index"
"""Where a Glossary keeps its index (see `Glossary.memo`)."""


def _index_of(glossary: Glossary | Iterable[Entry], entries: Sequence[Entry]) -> TrieIndex:
    """A Glossary's index is made once, however many matchers a run makes for it; it comes from
    the on-disk index cache when that holds it (see `index_cache`)."""
    if not isinstance(glossary, Glossary):
        return load_or_build(entries, build_index)
    memo = glossary.memo()
    if INDEX_MEMO not in memo:
        memo[INDEX_MEMO] = load_or_build(entries, build_index)
    return memo[INDEX_MEMO]


class GlossaryMatcher:
    """Finds glossary entries in German sentences (see the module docstring for the rules).

    Entries sit in a trie keyed word by word (lemma keys, or the exact words for verbatim
    entries), so a sentence is matched by walking the trie from each word: the work depends on
    the sentence and on how far its words run along entries, not on how many entries there are.
    Matchers of one Glossary share its index (`build_index`, made once, cached on disk).
    """

    def __init__(
        self, glossary: Glossary | Iterable[Entry], *, cache_size: int = KEY_CACHE_SIZE, sentence_memo_size: int = SENTENCE_MEMO_SIZE
    ):
        self._sentences: dict[str, tuple[Match, ...]] = {}
        self._sentence_memo_size = sentence_memo_size
        self._entries = tuple(glossary)
        index = _index_of(glossary, self._entries)
        self._indexed = frozenset(name.partition(SEP)[2] for name in index.symbols)
        self._keys = lru_cache(maxsize=cache_size)(self._indexed_keys)
        self._index = index
        self.size = index.size
        self._patterns: dict[int, _Pattern] = {}

    def __len__(self) -> int:
        return self.size

    def _indexed_keys(self, word: str) -> tuple[str, ...]:
        """The keys of `word` that some entry word has: only those can lead anywhere in the trie.
        Most words of a text have none, and then the cache keeps no set of keys for them."""
        return tuple(key for key in word_keys(word) if key in self._indexed)

    def match(self, sentence: str) -> list[Match]:
        """Non-overlapping matches in sentence order, longest first where they compete."""
        known = self._sentences.get(sentence)
        if known is None:
            known = tuple(self._match(sentence))
            if len(self._sentences) < self._sentence_memo_size:
                self._sentences[sentence] = known
        return list(known)

    def _match(self, sentence: str) -> list[Match]:
        tokens = tokenize(sentence)
        keys = [self._keys(token.text) for token in tokens]
        words = [(token.text,) if token.text in self._indexed else () for token in tokens]
        gaps = [gap_class(token.gap) for token in tokens]
        candidates: dict[tuple[int, int, int], _Pattern] = {}
        for root, alternatives, verbatim in ((LEMMA_ROOT, keys, False), (VERBATIM_ROOT, words, True)):
            # each word's symbols, as an entry's first word and after its gap: read once per sentence
            first = [self._numbers("", found) for found in alternatives]
            later = [self._numbers(gap, found) for gap, found in zip(gaps, alternatives)]
            for start in range(len(tokens)):
                for end, order in self._walk(root, first[start], later, start):
                    pattern = self._pattern(order)
                    if verbatim or self._case_agrees(pattern, tokens, start):
                        candidates[(start, end, order)] = pattern
        return self._select(
            [(start, end, pattern) for (start, end, _), pattern in candidates.items()], tokens, sentence
        )

    def _numbers(self, gap: str, keys: Iterable[str]) -> list[int]:
        """The symbol numbers of a word with these keys after a gap of class `gap` (those the trie has)."""
        symbols = self._index.symbols
        return [number for key in keys if (number := symbols.get(symbol(gap, key))) is not None]

    def _pattern(self, order: int) -> _Pattern:
        """The entry at `order` with its words, made when the trie first leads to it."""
        pattern = self._patterns.get(order)
        if pattern is None:
            entry = self._entries[order]
            pattern = self._patterns[order] = _Pattern(entry, order, tuple(token.text for token in tokenize(entry.de)))
        return pattern

    def _walk(self, root: int, first: list[int], later: list[list[int]], start: int) -> Iterator[tuple[int, int]]:
        """(end, entry position) for every entry whose words run from `start` along the trie:
        `first` are the symbols of the word at `start`, `later[i]` those of word i after its gap."""
        symbols, edges, targets, end_nodes, end_orders, _ = self._index
        stride, edge_count, end_count = len(symbols), len(edges), len(end_nodes)
        stack = [(root, start, first)]
        while stack:
            node, position, numbers = stack.pop()
            for number in numbers:
                edge = node * stride + number
                at = bisect_left(edges, edge)
                if at == edge_count or edges[at] != edge:
                    continue
                child, end = targets[at], position + 1
                at = bisect_left(end_nodes, child)
                while at < end_count and end_nodes[at] == child:
                    yield end, end_orders[at]
                    at += 1
                if end < len(later):
                    stack.append((child, end, later[end]))

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


def shared_matcher(glossary: Glossary) -> GlossaryMatcher:
    """The one matcher of `glossary` (kept in its memo), so that the enforcer and the review pages
    of a run share its cache of word keys instead of each looking every word up again."""
    memo = glossary.memo()
    if "matcher" not in memo:
        memo["matcher"] = GlossaryMatcher(glossary)
    return memo["matcher"]
