"""What a review check is: a small function from segments (and what it may need) to findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from dolmetsch.translation import ReviewedSegment
from dolmetsch.glossary.matcher import GlossaryMatcher

ERROR = "error"
WARNING = "warning"
LEVELS = (ERROR, WARNING)


@dataclass(frozen=True)
class Finding:
    """One problem in one segment, printed as `file:line: level check: message`."""

    where: str
    check: str
    message: str
    level: str = ERROR

    def __str__(self) -> str:
        return f"{self.where}: {self.level} {self.check}: {self.message}"

    def as_json(self) -> dict:
        """The finding for `--format json`: `where` split into file and line (null when it has none)."""
        file, _, line = self.where.rpartition(":")
        if not line.isdigit():
            file, line = self.where, ""
        return {
            "file": file,
            "line": int(line) if line else None,
            "level": self.level,
            "check": self.check,
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckContext:
    """What checks may consult besides the segments; a check that needs a missing part is skipped."""

    glossary: GlossaryMatcher | None = None
    _matches: dict = field(default_factory=dict, compare=False, repr=False)
    """The glossary's matches by German sentence, so that the checks of a run match each sentence once."""

    def matches(self, german: str) -> list:
        """The glossary matches in `german` (see GlossaryMatcher.match); the list is shared, not to be changed."""
        if german not in self._matches:
            self._matches[german] = self.glossary.match(german)
        return self._matches[german]


CheckFunction = Callable[[Sequence[ReviewedSegment], CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A named check; `needs_glossary` checks run only when a glossary is given, and an
    `across_files` check gets the segments of every file of a run at once (consistency)."""

    name: str
    run: CheckFunction
    needs_glossary: bool = False
    description: str = ""
    across_files: bool = False
    sees_markup: bool = False
    """Gets sentences with their inline-markup placeholders; the others get the text without them."""
