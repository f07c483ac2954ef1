"""The quotes check: German quotation marks left in the English, and English quotes that do not pair up.

German opens with „ or ‚ and closes with “ or ‘ (or uses »…«), so a machine or a hurried
reviewer leaves „…“ in the English, or turns it into “…“. English pairs “ with ” and ‘ with ’
(’ is also the apostrophe, so only a ’ not followed by a letter can close), and ASCII " comes in
pairs. A quote that runs on into the next sentence leaves the German unbalanced too; such a
segment is not held against its English. Written by hand: pofilter's `doublequoting` only
compares counts of marks, which flags every correct English rendering of „…“.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dolmetsch.checks.base import ERROR, CheckContext, Finding
from dolmetsch.conventions import GERMAN_DOUBLE_MARKS, GERMAN_MARKS
from dolmetsch.translation import ReviewedSegment

NAME = "quotes"


def german_marks_left(english: str) -> list[str]:
    """The German quotation marks in `english`, each once, in the order of GERMAN_MARKS."""
    return [mark for mark in GERMAN_MARKS if mark in english]


def unbalanced(english: str) -> str | None:
    """Why the English quotation marks do not pair up, or None when they do."""
    depth = 0
    for char in english:
        if char == "“":
            depth += 1
        elif char == "”":
            depth -= 1
            if depth < 0:
                return "closing ” without an opening “"
    if depth > 0:
        return "opening “ is never closed"
    if english.count('"') % 2:
        return 'odd number of " marks'
    closing_singles = sum(1 for i, char in enumerate(english) if char == "’" and not english[i + 1 : i + 2].isalpha())
    if english.count("‘") > closing_singles:
        return "opening ‘ is never closed"
    return None


def german_balanced(german: str) -> bool:
    """Whether the German's own quotes pair up (a quote may run on into the next segment)."""
    return sum(german.count(mark) for mark in GERMAN_DOUBLE_MARKS) % 2 == 0 and german.count("‚") == german.count("‘")


def quotation_marks(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Segments whose English keeps German quotation marks or has quotes that do not pair up."""
    for segment in segments:
        if not segment.en.strip():
            continue  # the untranslated check reports it
        left = german_marks_left(segment.en)
        if left:
            marks = f"mark{'s' if len(left) > 1 else ''} {' '.join(left)}"
            yield Finding(segment.where, NAME, f"German quotation {marks} in the English (write “…” or \"…\")", ERROR)
        elif (problem := unbalanced(segment.en)) and german_balanced(segment.de):
            yield Finding(segment.where, NAME, f"unbalanced quotes: {problem}", ERROR)
