"""German sentence splitting as character spans into the original text.

Sentences come from SoMaJo (``de_CMC``), the most accurate of the German-aware splitters measured by
``benchmarks/sentence_splitters.py`` on ``tests/data/german_sentence_cases.tsv``; it ships its rules
and abbreviation lists and downloads nothing. It is imported on first use only (about 0.1 s import plus
0.15 s to build its tokenizer), so commands that never split text stay fast.

SoMaJo reports tokens, which may differ from the input (it drops soft hyphens and zero-width
characters, for instance), so its sentences are mapped back to offsets by aligning their visible
characters with the text rather than trusting its strings or offsets.

A small correction layer then fixes what SoMaJo gets wrong on the measured cases, with rules that are
general German rather than case-specific:

* A number with a period is never a sentence end for SoMaJo, because it reads ``der 2. Weltkrieg`` as
  an ordinal (rightly). When the next word is a capitalised function word (article, pronoun,
  conjunction, preposition, sentence adverb: ``Sie belegte Platz 1. Das war …``, ``endete 2:1. Die
  Fans …``) it cannot continue an ordinal phrase, so the sentence ends there.
* A blank line always ends a sentence: it separates paragraphs whatever the splitter thinks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache

from dolmetsch.document.sentence_memo import sentence_memo

# Words that can open a German sentence but can never follow an ordinal ("der 2. ___"), which takes a
# noun or an adjective. Capitalised, since mid-sentence they would be lowercase.
_STARTERS_AFTER_NUMBER = (
    "Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Dieser Diese Dieses Diesen Jeder Jede "
    "Ich Du Er Sie Es Wir Ihr Man Mein Sein Ihre Unser "
    "Aber Und Oder Doch Dann Damit Danach Dabei Daher Darauf Deshalb Denn Trotzdem Zudem Außerdem "
    "Auch Nun Jetzt Heute Gestern So Da Dort Hier Allerdings Inzwischen Zuvor Bisher Später "
    "Im Am Auf Mit Nach Bei Beim Für Von Vom Zum Zur Um Aus Seit Wegen Laut Gegen Unter Vor Während "
    "Wie Was Wer Wo Warum Wann Ob Wenn Als Weil Dass Nicht Kein Keine Niemand Alle"
).split()
_NUMBER_THEN_STARTER = re.compile(
    r"\d\.[\"'»«“”’)\]]*\s+(?=(?:" + "|".join(_STARTERS_AFTER_NUMBER) + r")\b)"
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into `text`, in order, covering all of its visible text.

    Only whitespace lies between and around the spans, so `text` is rebuilt exactly from spans and
    gaps. Text without visible characters has no sentences.
    """
    if not text.strip():
        return []
    memo = sentence_memo()  # spans of a text split before (see `sentence_memo`)
    known = memo.get(text)
    if known is not None:
        return known
    starts = set(align_starts(text, _somajo_sentences(text)))
    starts.update(match.end() for match in _NUMBER_THEN_STARTER.finditer(text))
    starts.update(match.end() for match in _BLANK_LINE.finditer(text))
    spans = spans_from_starts(text, starts)
    memo.put(text, spans)
    return spans


def _somajo_sentences(text: str) -> list[str]:
    """SoMaJo's sentences, each as the concatenation of its tokens' spelling."""
    return [
        " ".join(token.original_spelling or token.text for token in sentence)
        for sentence in _somajo()(text)
    ]


@lru_cache(maxsize=1)
def _somajo() -> Callable[[str], Iterable[list]]:
    """The German SoMaJo tokenizer, built once on first use (importing it costs about 0.25 s)."""
    tokenizer = somajo_tokenizer()
    return lambda text: tokenizer.tokenize_text([text])


@lru_cache(maxsize=1)
def somajo_tokenizer():
    """The SoMaJo instance the splitter uses, built once."""
    from somajo import SoMaJo

    tokenizer = SoMaJo("de_CMC", split_camel_case=False, split_sentences=True)
    _skip_emoji_search_without_emoji(tokenizer)
    return tokenizer


_EMOJI_CHARACTER = r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\uFE0F]"
"""Every character SoMaJo's emoji step looks for (see `_skip_emoji_search_without_emoji`)."""


def _skip_emoji_search_without_emoji(tokenizer) -> None:
    """Let SoMaJo's emoji step pass over tokens that hold no emoji character at all.

    That step searches every grapheme of every token separately, with a pattern given as a
    string, which costs half of all the splitting of plain news text. A grapheme is an emoji for
    it only if it holds one of the characters of `_EMOJI_CHARACTER`, so a token without any is
    left as it is either way: one search of the whole token decides, and the tokens (and so the
    sentences) come out the same. Left alone if this SoMaJo's tokenizer is laid out differently.
    """
    import regex

    inner = getattr(tokenizer, "_tokenizer", None)
    split_emojis = getattr(inner, "_split_emojis", None)
    if split_emojis is None:
        return
    has_emoji = regex.compile(_EMOJI_CHARACTER).search

    def split_only_emojis(node, *args, **kwargs):
        if has_emoji(node.value.text):
            split_emojis(node, *args, **kwargs)

    inner._split_emojis = split_only_emojis


_QUOTES = str.maketrans(
    {
        **dict.fromkeys("„“”‟«»‹›″〝〞＂", '"'),
        **dict.fromkeys("‚‘’‛′`´", "'"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
    }
)


@cache
def _fold(char: str) -> str:
    """One comparable character: libraries may straighten quotes, dashes or case."""
    return char.translate(_QUOTES).lower()[:1] or char


def _visible(text: str) -> tuple[list[int], str]:
    """Offsets and folded characters of everything in `text` that is not whitespace."""
    offsets = [i for i, char in enumerate(text) if not char.isspace()]
    return offsets, "".join(_fold(text[i]) for i in offsets)


def align_starts(text: str, pieces: Iterable[str]) -> list[int]:
    """Offsets in `text` where each of `pieces` (a splitter's sentences) begins.

    Splitters may drop, add or normalise whitespace and punctuation, so the pieces are matched to
    `text` on their non-whitespace characters: exactly when those agree (the usual case), otherwise
    through a character alignment. Pieces that match nothing in `text` are dropped; the first
    sentence always starts at the first visible character.
    """
    offsets, visible = _visible(text)
    if not offsets:
        return []
    piece_ends: list[int] = []
    folded_pieces: list[str] = []
    length = 0
    for piece in pieces:
        folded = "".join(_fold(char) for char in piece if not char.isspace())
        folded_pieces.append(folded)
        length += len(folded)
        piece_ends.append(length)
    cuts = piece_ends[:-1]
    joined = "".join(folded_pieces)
    if joined != visible:
        cuts = _map_positions(joined, visible, cuts)
    starts = {offsets[0]}
    starts.update(offsets[cut] for cut in cuts if 0 < cut < len(offsets))
    return sorted(starts)


def _map_positions(source: str, target: str, positions: Sequence[int]) -> list[int]:
    """Carry character positions in `source` over to the corresponding positions in `target`.

    A linear scan: matching characters advance together; at a difference the scan resynchronises
    on the nearest stretch where both agree again. Characters only `source` has map to the next
    character of `target`.
    """
    image = [len(target)] * (len(source) + 1)
    i = j = 0
    while i < len(source) and j < len(target):
        if source[i] == target[j]:
            image[i] = j
            i += 1
            j += 1
            continue
        skip_source, skip_target = _resync(source, i, target, j)
        for k in range(i, min(i + skip_source, len(source))):
            image[k] = j
        i += skip_source
        j += skip_target
    return [image[position] for position in positions]


def _resync(source: str, i: int, target: str, j: int) -> tuple[int, int]:
    """How far to skip in each string after a difference at ``source[i]``/``target[j]``.

    Prefers the smallest total skip within a short window after which both strings agree on a few
    characters; failing that, the next place `target` has the upcoming part of `source`; failing
    that, the source character is treated as one the splitter invented.
    """
    window, anchor = 24, 4

    def agree(a: int, b: int) -> bool:
        size = min(anchor, len(source) - a, len(target) - b)
        return size > 0 and source[a : a + size] == target[b : b + size]

    for total in range(1, 2 * window + 1):
        for skip_source in range(max(0, total - window), min(total, window) + 1):
            if agree(i + skip_source, j + total - skip_source):
                return skip_source, total - skip_source
    found = target.find(source[i : i + anchor], j)
    if found >= 0:
        return 0, found - j
    return 1, 0


def spans_from_starts(text: str, starts: Iterable[int]) -> list[tuple[int, int]]:
    """Sentence spans that begin at `starts` and together cover all visible text of `text`.

    Each span runs from its start to the last non-whitespace character before the next start, so the
    gaps between spans hold whitespace only and `text` is rebuilt exactly from spans and gaps.
    """
    first = next((i for i, char in enumerate(text) if not char.isspace()), None)
    if first is None:
        return []
    cuts = sorted({start for start in starts if first < start < len(text) and not text[start].isspace()})
    cuts = [first, *cuts]
    spans = []
    for begin, following in zip(cuts, cuts[1:] + [len(text)]):
        end = following
        while text[end - 1].isspace():
            end -= 1
        spans.append((begin, end))
    return spans
