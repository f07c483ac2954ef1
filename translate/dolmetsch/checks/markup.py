"""The markup check: the placeholders of a translation pair up with those of its German.

A sentence of an HTML or Markdown article shows its inline elements as numbered placeholders
(`Kim <1>pries</1> die Truppen.`, see `dolmetsch.markup.placeholders`). A translation that loses,
invents, repeats or crosses one cannot be written back into the page; `build` refuses it, and this
check finds it first. The German's own placeholders say which elements there are and which of them
stand at a point (`<n/>`), so the check needs nothing but the two texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from dolmetsch.checks.base import ERROR, CheckContext, Finding
from dolmetsch.document.inline import MarkedText, Tag
from dolmetsch.markup.placeholders import PLACEHOLDER, MarkupError, from_placeholders, markup_problems
from dolmetsch.translation import ReviewedSegment

NAME = "markup"
_TOKEN = re.compile(r"(\\*)(<(/?)([0-9]+)(/?)>)")
"""A placeholder with the backslashes before it: an odd number makes it text (see `dolmetsch.markup.placeholders`)."""


def german_elements(german: str) -> MarkedText | None:
    """The elements the German's placeholders stand for (None when it has none, or they are broken
    themselves: then there is nothing to hold the English to)."""
    numbers: dict[int, bool] = {}
    for match in _TOKEN.finditer(german):
        if len(match.group(1)) % 2:  # `\<2>`: text, not a placeholder
            continue
        closing, number, point = match.group(3), int(match.group(4)), match.group(5)
        numbers.setdefault(number, False)
        numbers[number] |= bool(point) and not closing
    if not numbers:
        return None
    tags = tuple(Tag(number, f"<{number}>", f"</{number}>", void=void) for number, void in sorted(numbers.items()))
    try:
        return from_placeholders(german, MarkedText("", (), tags))
    except MarkupError:
        return None


def placeholders_paired(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Placeholders missing, added, duplicated, badly nested or malformed in a translation."""
    for segment in segments:
        if not segment.en.strip() or not (PLACEHOLDER.search(segment.de) or PLACEHOLDER.search(segment.en)):
            continue
        source = german_elements(segment.de) or MarkedText(segment.de)
        for problem in markup_problems(segment.en, source):
            yield Finding(segment.where, NAME, problem, ERROR)



def without_placeholders(segments: Sequence[ReviewedSegment]) -> list[ReviewedSegment]:
    """The segments as the other checks read them: the text of each sentence with placeholders,
    without them (`<1>Putin</1>` is `Putin`, `\\<1>` the text `<1>`); others as they are."""
    return [
        replace(s, de=_plain(s.de), en=_plain(s.en)) if PLACEHOLDER.search(s.de) or PLACEHOLDER.search(s.en) else s
        for s in segments
    ]


def _plain(text: str) -> str:
    def token(match: re.Match) -> str:
        backslashes = len(match.group(1))
        return "\\" * (backslashes // 2) + (match.group(2) if backslashes % 2 else "")

    return _TOKEN.sub(token, text)
