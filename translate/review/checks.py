"""Checks over translated segments; each check is a small function yielding findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from translate.review.segments import ReviewedSegment


@dataclass(frozen=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def glossary_violations(segments: Iterable[ReviewedSegment], matcher) -> Iterator[Finding]:
    """Segments whose English lacks a required rendering or contains a forbidden variant."""
    from translate.glossary.constraints import forbidden_found, rendering_present
    from translate.glossary.enforce import required_text

    for segment in segments:
        if not segment.en.strip():
            continue
        for match in matcher.match(segment.de):
            entry = match.entry
            if not rendering_present(entry, segment.en):
                yield Finding(segment.where, f"glossary: '{match.text}' must be rendered '{required_text(entry)}'")
            for variant in forbidden_found(entry, segment.en):
                yield Finding(segment.where, f"glossary: forbidden variant '{variant}' for '{match.text}' (use '{required_text(entry)}')")
