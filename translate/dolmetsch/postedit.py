"""Rewrite German conventions a machine leaves in English: quotation marks, number and date notation.

The conventions themselves live in `dolmetsch.conventions`, which the review checks read too.

Pure and deterministic: the same text gives the same result, and a second pass changes nothing.
Spans the caller protects (names, `keep` terms) are left exactly as they are.

* „…“ and »…« (or «…») become “…”, ‚…‘ and ›…‹ become ‘…’; with `quotes="ascii"`, "…" and '…'.
* 1.500 → 1,500 and 1.500,5 → 1,500.5; 3,5 → 3.5 (a comma before three digits is left: 3,500
  is already English); 3,5 % → 3.5%.
* 13. September → 13 September.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dolmetsch.conventions import GERMAN_DAY_MONTH, GERMAN_DECIMAL, GERMAN_THOUSANDS, GUILLEMETS, LOW_OPENERS, SPACE_BEFORE_PERCENT

QUOTES = "quotes"
NUMBERS = "numbers"
DATES = "dates"
CHANGE_ORDER = (QUOTES, NUMBERS, DATES)
TYPOGRAPHIC = "typographic"
ASCII = "ascii"
QUOTE_STYLES = {TYPOGRAPHIC: ("“", "”", "‘", "’"), ASCII: ('"', '"', "'", "'")}
PLACEHOLDER_BASE = 0xE000
"""Protected spans are swapped for Private Use characters while the rules run."""


def post_edit(english: str, *, quotes: str = TYPOGRAPHIC, protected: Sequence[str | tuple[int, int]] = ()) -> tuple[str, list[str]]:
    """`english` with German conventions rewritten, and what kinds changed (`quotes`, `numbers`, `dates`).

    `protected`: words or phrases (every occurrence) or (start, end) spans that must not change.
    """
    if quotes not in QUOTE_STYLES:
        raise ValueError(f"quotes must be one of {', '.join(QUOTE_STYLES)}, not {quotes!r}")
    masked, originals = _mask(english, protected)
    changed: set[str] = set()
    text = _rewrite_quotes(masked, QUOTE_STYLES[quotes])
    if text != masked:
        changed.add(QUOTES)
    numbers = _rewrite_numbers(text)
    if numbers != text:
        changed.add(NUMBERS)
    dates = GERMAN_DAY_MONTH.sub(r"\1\2\3", numbers)
    if dates != numbers:
        changed.add(DATES)
    return _unmask(dates, originals), [kind for kind in CHANGE_ORDER if kind in changed]


def _rewrite_quotes(text: str, style: tuple[str, str, str, str]) -> str:
    double_open, double_close, single_open, single_close = style
    text = _replace_pairs(text, *LOW_OPENERS[0], double_open, double_close)
    text = _replace_pairs(text, *LOW_OPENERS[1], single_open, single_close)
    text = _replace_guillemets(text, GUILLEMETS[0], double_open, double_close)
    return _replace_guillemets(text, GUILLEMETS[1], single_open, single_close)


def _replace_pairs(text: str, opening: str, closers: str, new_open: str, new_close: str) -> str:
    """Each `opening` mark and the first closing mark after it; an opening mark never closed still becomes `new_open`."""
    chars = list(text)
    is_open = False
    for index, char in enumerate(text):
        if char == opening:
            chars[index], is_open = new_open, True
        elif is_open and char in closers:
            chars[index], is_open = new_close, False
    return "".join(chars)


def _replace_guillemets(text: str, pair: str, new_open: str, new_close: str) -> str:
    chars = list(text)
    closer = None
    for index, char in enumerate(text):
        if char not in pair:
            continue
        if char == closer:
            chars[index], closer = new_close, None
        else:
            chars[index], closer = new_open, pair.replace(char, "")
    return "".join(chars)


def _rewrite_numbers(text: str) -> str:
    def thousands(match: re.Match) -> str:
        whole = match.group(1).replace(".", ",")
        return f"{whole}.{match.group(2)}" if match.group(2) else whole

    text = GERMAN_THOUSANDS.sub(thousands, text)
    text = GERMAN_DECIMAL.sub(r"\1.\2", text)
    return SPACE_BEFORE_PERCENT.sub(r"\1%", text)


def _mask(text: str, protected: Sequence[str | tuple[int, int]]) -> tuple[str, list[str]]:
    """`text` with each protected span replaced by one placeholder character, and the spans in placeholder order."""
    spans: list[tuple[int, int]] = []
    for item in protected:
        if isinstance(item, str):
            spans += [m.span() for m in re.finditer(re.escape(item), text)] if item else []
        else:
            spans.append((max(0, item[0]), min(len(text), item[1])))
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    base = max([PLACEHOLDER_BASE, *(ord(c) + 1 for c in text if PLACEHOLDER_BASE <= ord(c) < 0xF8FF)])
    pieces, originals, previous = [], [], 0
    for start, end in merged:
        pieces += [text[previous:start], chr(base + len(originals))]
        originals.append(text[start:end])
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces), [chr(base + i) + original for i, original in enumerate(originals)]


def _unmask(text: str, originals: list[str]) -> str:
    for entry in originals:
        text = text.replace(entry[0], entry[1:], 1)
    return text
