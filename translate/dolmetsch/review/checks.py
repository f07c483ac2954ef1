"""Checks over translated segments; each check is a small function yielding findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dolmetsch.review.segments import ReviewedSegment


@dataclass(frozen=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def glossary_violations(segments: Iterable[ReviewedSegment], matcher) -> Iterator[Finding]:
    """Segments whose English lacks a required rendering or contains a forbidden variant."""
    from dolmetsch.glossary.constraints import MISSING_RENDERING, violations

    for segment in segments:
        if not segment.en.strip():
            continue  # not translated yet
        for match in matcher.match(segment.de):
            for violation in violations([match.entry], segment.en):
                if violation.kind == MISSING_RENDERING:
                    message = f"'{match.text}' must be rendered '{violation.text}'"
                else:
                    message = f"forbidden variant '{violation.text}' for '{match.text}' (use '{match.entry.required}')"
                yield Finding(segment.where, f"glossary: {message}")
