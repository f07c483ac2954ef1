"""The one-line summary of a check run, which `check`, `translate` and `build` print alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dolmetsch.checks.base import ERROR, LEVELS, Finding
from dolmetsch.translation import EMPTY, FUZZY, REVIEWED_STATE, ReviewedSegment


def summarise(findings: Sequence[Finding], segments: Sequence[ReviewedSegment]) -> str:
    """E.g. `2 errors, 1 warning (numbers: 1 error; quotes: 1 error; consistency: 1 warning); 52 entries:
    49 reviewed, 2 fuzzy, 1 empty`. Counts by check follow the order the checks ran in."""
    levels = Counter(f.level for f in findings)
    by_check: dict[str, Counter] = {}
    for finding in findings:
        by_check.setdefault(finding.check, Counter())[finding.level] += 1
    if findings:
        head = ", ".join(_count(levels[level], level) for level in LEVELS if levels[level])
        detail = "; ".join(
            f"{check}: " + ", ".join(_count(counts[level], level) for level in LEVELS if counts[level])
            for check, counts in by_check.items()
        )
        head = f"{head} ({detail})"
    else:
        head = "no problems"
    states = Counter(s.state for s in segments)
    entries = f"{_count(len(segments), 'entry', 'entries')}: {states[REVIEWED_STATE]} reviewed, {states[FUZZY]} fuzzy, {states[EMPTY]} empty"
    unknown = len(segments) - states[REVIEWED_STATE] - states[FUZZY] - states[EMPTY]
    if unknown:
        entries += f", {unknown} without a review state"
    return f"{head}; {entries}"


def has_errors(findings: Sequence[Finding], *, warnings_as_errors: bool = False) -> bool:
    """Whether the run fails: an error-level finding, or any finding when warnings count as errors."""
    return any(warnings_as_errors or f.level == ERROR for f in findings)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
