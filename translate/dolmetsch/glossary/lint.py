"""Glossary lint: one small function per problem, so each rule is easy to read, test and extend.

Entry checks take one `Entry`; glossary checks take all entries (problems across rows and files).
Each yields `Problem`s. `check(glossary)` runs them all and returns the problems in file order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from dolmetsch.errors import InputError
from dolmetsch.glossary.model import KINDS, MATCH_MODES, STATUSES, Entry, Glossary

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: Path | None
    line: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<glossary>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{where}: {prefix}{self.message}"


def _problem(entry: Entry, message: str, severity: str = ERROR) -> Problem:
    return Problem(entry.source, entry.line, message, severity)


def _elsewhere(entry: Entry, other: Entry) -> str:
    """How to point from `entry` to `other`: a line number, or file:line in another file."""
    if other.source == entry.source and other.line is not None:
        return f"line {other.line}"
    return other.location


# --- entry checks -----------------------------------------------------------------------------


def empty_required_cells(entry: Entry) -> Iterator[Problem]:
    """de, en, kind and status must be filled in; the note may be empty."""
    for name in ("de", "en", "kind", "status"):
        if not getattr(entry, name).strip():
            yield _problem(entry, f"empty {name}")


def unknown_kind(entry: Entry) -> Iterator[Problem]:
    if entry.kind.strip() and entry.kind not in KINDS:
        yield _problem(entry, f"unknown kind {entry.kind!r} (expected {', '.join(KINDS)})")


def unknown_status(entry: Entry) -> Iterator[Problem]:
    if entry.status.strip() and entry.status not in STATUSES:
        yield _problem(entry, f"unknown status {entry.status!r} (expected {', '.join(STATUSES)})")


def unknown_match(entry: Entry) -> Iterator[Problem]:
    if entry.match not in MATCH_MODES:
        yield _problem(entry, f"unknown match {entry.match!r} (expected {', '.join(MATCH_MODES)})")


def forbidden_equals_rendering(entry: Entry) -> Iterator[Problem]:
    """A forbidden variant equal to the rendering would make every translation a violation."""
    for variant in entry.forbidden:
        if not variant.strip():
            yield _problem(entry, "empty forbidden variant (stray '|')")
        elif variant.strip() == entry.en.strip():
            yield _problem(entry, f"forbidden variant {variant!r} equals the rendering")


def keep_differs(entry: Entry) -> Iterator[Problem]:
    """`keep` means the German form is used as is, so en must repeat de."""
    if entry.kind == "keep" and entry.en != entry.de:
        yield _problem(entry, f"keep entry: en {entry.en!r} differs from de {entry.de!r}")


def surrounding_whitespace(entry: Entry) -> Iterator[Problem]:
    """Stray spaces make exact comparisons fail silently."""
    cells = entry.cells()
    cells.pop("forbidden")
    values = [(name, value) for name, value in cells.items()]
    values += [("forbidden variant", variant) for variant in entry.forbidden]
    for name, value in values:
        if value != value.strip() and value.strip():
            yield _problem(entry, f"{name} {value!r} has leading or trailing whitespace")


# --- glossary checks --------------------------------------------------------------------------


def duplicate_rows(entries: Sequence[Entry]) -> Iterator[Problem]:
    """The same de, en and kind twice: harmless for matching, but one copy will drift."""
    first: dict[tuple[str, str, str], Entry] = {}
    for entry in entries:
        key = (entry.de, entry.en, entry.kind)
        if key in first:
            yield _problem(entry, f"duplicate of {_elsewhere(entry, first[key])}", WARNING)
        else:
            first[key] = entry


def conflicting_rows(entries: Sequence[Entry]) -> Iterator[Problem]:
    """The same German form and kind with two renderings: translation cannot honour both."""
    first: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = (entry.de, entry.kind)
        earlier = first.setdefault(key, entry)
        if earlier is not entry and earlier.en != entry.en:
            yield _problem(
                entry,
                f"conflicts with {_elsewhere(entry, earlier)}: {entry.de!r} is rendered "
                f"{earlier.en!r} there but {entry.en!r} here",
            )


ENTRY_CHECKS: tuple[Callable[[Entry], Iterable[Problem]], ...] = (
    empty_required_cells,
    unknown_kind,
    unknown_status,
    unknown_match,
    forbidden_equals_rendering,
    keep_differs,
    surrounding_whitespace,
)
GLOSSARY_CHECKS: tuple[Callable[[Sequence[Entry]], Iterable[Problem]], ...] = (
    duplicate_rows,
    conflicting_rows,
)


def check(glossary: Glossary | Iterable[Entry]) -> list[Problem]:
    """All problems, ordered by file and line."""
    entries = list(glossary)
    problems: list[Problem] = []
    for entry in entries:
        for entry_check in ENTRY_CHECKS:
            problems.extend(entry_check(entry))
    for glossary_check in GLOSSARY_CHECKS:
        problems.extend(glossary_check(entries))
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == ERROR]


def require_valid(glossary: Glossary | Iterable[Entry]) -> None:
    """Refuse a glossary with errors (it cannot be enforced or converted unambiguously): InputError on the first."""
    found = errors(check(glossary))
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more; see `dolmetsch glossary check`)" if len(found) > 1 else ""
        raise InputError(first.path or "<glossary>", first.message + more, first.line)
