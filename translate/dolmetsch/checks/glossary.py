"""The glossary check: a segment's English must carry each matched entry's rendering and no forbidden variant."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dolmetsch.checks.base import CheckContext, Finding
from dolmetsch.translation import ReviewedSegment
from dolmetsch.glossary.constraints import MISSING_RENDERING, violations

NAME = "glossary"


def glossary_terms(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Segments whose English lacks a required rendering or contains a forbidden variant."""
    for segment in segments:
        if not segment.en.strip():
            continue  # not translated yet
        for match in context.matches(segment.de):
            for violation in violations([match.entry], segment.en):
                if violation.kind == MISSING_RENDERING:
                    message = f"'{match.text}' must be rendered '{violation.text}'"
                else:
                    message = f"forbidden variant '{violation.text}' for '{match.text}' (use '{match.entry.required}')"
                yield Finding(segment.where, NAME, message)
