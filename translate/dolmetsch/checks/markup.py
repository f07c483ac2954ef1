"""The markup check: the placeholders of a translation pair up with those of its German.

A sentence of an HTML or Markdown article shows its inline elements as numbered placeholders
(`Kim <1>pries</1> die Truppen.`, see `dolmetsch.markup.placeholders`). A translation that loses,
invents, repeats or crosses one cannot be written back into the page; `build` refuses it, and this
check finds it first. The German's own placeholders say which elements there are and which of them
stand at a point (`<n/>`), so the check needs nothing but the two texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from dolmetsch.checks.base import ERROR, CheckContext, Finding
from dolmetsch.document.inline import MarkedText
from dolmetsch.markup import placeholders
from dolmetsch.markup.placeholders import PLACEHOLDER, elements_of, markup_problems
from dolmetsch.translation import ReviewedSegment

NAME = "markup"


def placeholders_paired(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Placeholders missing, added, duplicated, badly nested or malformed in a translation."""
    for segment in segments:
        if not segment.en.strip() or not (PLACEHOLDER.search(segment.de) or PLACEHOLDER.search(segment.en)):
            continue
        source = elements_of(segment.de) or MarkedText(segment.de)
        for problem in markup_problems(segment.en, source):
            yield Finding(segment.where, NAME, problem, ERROR)


def without_placeholders(segments: Sequence[ReviewedSegment]) -> list[ReviewedSegment]:
    """The segments as the other checks read them: the text of each sentence with placeholders,
    without them (`<1>Putin</1>` is `Putin`, `\\<1>` the text `<1>`); others as they are."""
    plain = placeholders.without_placeholders
    return [
        replace(s, de=plain(s.de), en=plain(s.en)) if PLACEHOLDER.search(s.de) or PLACEHOLDER.search(s.en) else s
        for s in segments
    ]
