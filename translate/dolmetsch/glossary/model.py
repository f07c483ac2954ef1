"""Glossary entries as immutable values, so matching and checking can share them freely."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

KINDS = ("name", "term", "keep")
"""`name`: proper name; `term`: common noun, adjective or phrase; `keep`: leave untranslated."""
STATUSES = ("approved", "proposed")
MATCH_MODES = ("lemma", "exact")
"""`lemma`: inflected German forms match; `exact`: only the verbatim form matches."""
DEFAULT_MATCH = MATCH_MODES[0]

REQUIRED_COLUMNS = ("de", "en", "kind", "note", "status")
OPTIONAL_COLUMNS = ("forbidden", "match")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
FORBIDDEN_SEPARATOR = "|"


@dataclass(frozen=True)
class Entry:
    """One glossary row. Values are kept as written so lint can report them; `source`/`line`
    say where the row came from and take no part in equality."""

    de: str
    en: str
    kind: str = "term"
    note: str = ""
    status: str = "approved"
    forbidden: tuple[str, ...] = ()
    match: str = DEFAULT_MATCH
    source: Path | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def location(self) -> str:
        """`file:line` (or what is known of it) for messages."""
        where = str(self.source) if self.source is not None else "<glossary>"
        return f"{where}:{self.line}" if self.line is not None else where

    @property
    def required(self) -> str:
        """The text the English must contain: the rendering, or the German itself for `keep`."""
        return self.de if self.kind == "keep" else self.en

    @property
    def verbatim(self) -> bool:
        """Whether the German form must occur exactly as written (no lemma matching)."""
        return self.kind == "keep" or self.match == "exact"

    def cells(self) -> dict[str, str]:
        """The row as TSV cells, one per column in `COLUMNS`."""
        return {
            "de": self.de,
            "en": self.en,
            "kind": self.kind,
            "note": self.note,
            "status": self.status,
            "forbidden": FORBIDDEN_SEPARATOR.join(self.forbidden),
            "match": self.match,
        }


@dataclass(frozen=True)
class Glossary:
    """An ordered collection of entries, possibly from several files."""

    entries: tuple[Entry, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))

    def memo(self) -> dict:
        """Values derived from the entries, kept with this glossary (which never changes), so that
        every matcher a run makes shares one index and the fingerprint is computed once."""
        return self.__dict__.setdefault("_memo", {})

    def __getstate__(self) -> dict:
        """A copy sent to another process leaves the memo behind: it is cheaper rebuilt (or read
        from the index cache) there than pickled."""
        return {"entries": self.entries}

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def fingerprint(self) -> str:
        """Short digest of the entries' content: a catalogue's drafts are current only for the same glossary."""
        memo = self.memo()
        if "fingerprint" not in memo:
            rows = sorted("\t".join(entry.cells().values()) for entry in self.entries)
            memo["fingerprint"] = hashlib.sha1("\n".join(rows).encode("utf-8")).hexdigest()[:12]
        return memo["fingerprint"]

    def approved(self) -> "Glossary":
        """Only the reviewed entries: what translation enforces."""
        return Glossary(tuple(e for e in self.entries if e.status == "approved"))
