"""Glossaries uploaded through the DeepL API: read, limited, kept on disk, merged with the server's
glossary and enforced.

An uploaded glossary is a list of (German, English) term pairs, as DeepL's TSV (`source<TAB>target`
per line, Weblate's export) or CSV (`source,target[,source_lang,target_lang]`). A pair whose two
terms are equal (Weblate exports an untranslatable term as `term<TAB>term`) becomes a `keep` entry:
the German stays as it is; any other pair a `term` entry, matched in its inflected forms as the
curated glossary's entries are.

Each glossary is one JSON file, `<data folder>/glossaries/<glossary id>.json`, written atomically
(`dolmetsch.atomic`), so it survives a restart and a crash never leaves half a glossary. API keys
are never stored: a glossary records a digest of the key that made it, and with keys configured
each key sees only its own glossaries (without keys, every client sees every glossary).

**Enforcement and conflicts.** A request's glossary is enforced on top of the server's curated
glossary. Where they disagree, the request's glossary wins, because the client asked for it:
- the same German term with another rendering: the server's entry is left out;
- a longer server term containing a request term (server `Kreml-Chef` → `Kremlin chief`, request
  `Kreml` → `Kremlin Palace`), whose rendering does not contain the request's: the server's entry is
  left out, so the request's term is required wherever it occurs (the matcher would otherwise
  prefer the longer match);
- a server entry's forbidden variant equal to a request rendering is dropped from that entry.
The same German term with the same rendering is no conflict: the server's entry is kept (with its
forbidden variants and word-form settings). Each conflict is reported, in the glossary's creation
answer and in the `dolmetsch` field of translations whose text holds the term.

The merged glossary's enforcers are built once per glossary (when it is uploaded, or on first use
after a restart) and kept for the most recently used glossaries.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from dolmetsch.atomic import write_text_atomic
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import Entry, Glossary

SOURCE_LANG, TARGET_LANG = "de", "en"
"""The only glossary language pair (DeepL writes glossary languages in lower case)."""
FORMATS = ("tsv", "csv")
FILE_FORMAT = 1
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WORD = re.compile(r"\w+")
ENFORCERS_KEPT = 32
"""Merged glossaries whose enforcers stay built (least recently used first out)."""


def user_data_dir(*parts: str) -> Path:
    """$XDG_DATA_HOME/dolmetsch/PARTS (default ~/.local/share), read at call time so tests can move it."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home, "dolmetsch", *parts)


@dataclass(frozen=True)
class GlossaryLimits:
    entries: int = 10_000
    """Entries in one glossary."""
    per_key: int = 1_000
    """Glossaries one key may hold (all clients together, without keys)."""
    term_bytes: int = 1_024
    """UTF-8 bytes of one term."""


class GlossaryRefused(ValueError):
    """An upload that cannot be accepted; the message names the line where there is one."""


# ---------------------------------------------------------------------------------------------
# reading entries


def parse_entries(
    text: str, entries_format: str, limits: GlossaryLimits = GlossaryLimits()
) -> list[tuple[str, str, int]]:
    """(source, target, line) of each entry of DeepL's TSV or CSV; GlossaryRefused for the first
    malformed line, a duplicated source term, a term beyond the limits or too many entries."""
    if entries_format not in FORMATS:
        raise GlossaryRefused(f"entries_format must be one of {', '.join(FORMATS)}")
    rows = _tsv_rows(text) if entries_format == "tsv" else _csv_rows(text)
    seen: dict[str, int] = {}
    found: list[tuple[str, str, int]] = []
    for line, cells in rows:
        if all(not cell.strip() for cell in cells):
            continue
        if entries_format == "tsv" and len(cells) != 2:
            raise GlossaryRefused(
                f"line {line}: expected a source term and a target term separated by one tab, found {len(cells)} cell(s)"
            )
        if entries_format == "csv":
            if len(cells) not in (2, 4):
                raise GlossaryRefused(f"line {line}: expected source,target or source,target,source_lang,target_lang; found {len(cells)} field(s)")
            if len(cells) == 4 and (cells[2].strip().lower(), cells[3].strip().lower()) != (SOURCE_LANG, TARGET_LANG):
                raise GlossaryRefused(f"line {line}: the entry is for {cells[2].strip()}→{cells[3].strip()}; this glossary is de→en")
        source, target = cells[0].strip(), cells[1].strip()
        _check_term(source, "source", line, limits)
        _check_term(target, "target", line, limits)
        if source in seen:
            raise GlossaryRefused(f"line {line}: duplicates the source term {source!r} of line {seen[source]}")
        seen[source] = line
        found.append((source, target, line))
        if len(found) > limits.entries:
            raise GlossaryRefused(f"the glossary has more than {limits.entries} entries, this server's limit per glossary")
    if not found:
        raise GlossaryRefused("the glossary has no entries")
    return found


def _tsv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r").split("\t")


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise GlossaryRefused(f"line {start}: not valid CSV ({error})") from None
        yield start, cells


def _check_term(term: str, side: str, line: int, limits: GlossaryLimits) -> None:
    if not term:
        raise GlossaryRefused(f"line {line}: empty {side} term")
    if any(ord(c) < 32 or 127 <= ord(c) <= 159 or c in "\u2028\u2029" for c in term):
        raise GlossaryRefused(f"line {line}: the {side} term holds a control character or line break")
    size = len(term.encode("utf-8"))
    if size > limits.term_bytes:
        raise GlossaryRefused(f"line {line}: the {side} term is {size} bytes long; at most {limits.term_bytes} UTF-8 bytes are accepted")


# ---------------------------------------------------------------------------------------------
# stored glossaries


@dataclass(frozen=True)
class StoredGlossary:
    glossary_id: str
    name: str
    creation_time: str
    """ISO 8601 with microseconds and a zone (`…T12:34:56.123456Z`): the official client parses it so."""
    owner: str
    """A digest of the key that made it ("" without keys); never the key."""
    entries: tuple[tuple[str, str], ...]
    source_lang: str = SOURCE_LANG
    target_lang: str = TARGET_LANG

    def info(self) -> dict:
        """DeepL's glossary object."""
        return {
            "glossary_id": self.glossary_id,
            "name": self.name,
            "ready": True,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "creation_time": self.creation_time,
            "entry_count": len(self.entries),
        }

    def tsv(self) -> str:
        return "\n".join(f"{source}\t{target}" for source, target in self.entries)

    def glossary_entries(self) -> tuple[Entry, ...]:
        """The entries as dolmetsch enforces them: equal terms are `keep`, others `term`. A source
        term without a word character cannot be matched in text and is left out."""
        where = Path(f"glossary {self.glossary_id}")
        return tuple(
            Entry(de=source, en=target, kind="keep" if source == target else "term", status="approved", source=where, line=number)
            for number, (source, target) in enumerate(self.entries, start=1)
            if WORD.search(source)
        )

    def to_json(self) -> str:
        data = {"format": FILE_FORMAT, **self.info(), "owner": self.owner, "entries": [list(e) for e in self.entries]}
        del data["ready"], data["entry_count"]
        return json.dumps(data, ensure_ascii=False, indent=0) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "StoredGlossary":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise ValueError("not a dolmetsch glossary file")
        entries = tuple((str(a), str(b)) for a, b in data["entries"])
        if not ID.fullmatch(str(data["glossary_id"])):
            raise ValueError("bad glossary id")
        return cls(str(data["glossary_id"]), str(data["name"]), str(data["creation_time"]), str(data["owner"]), entries,
                   str(data["source_lang"]), str(data["target_lang"]))


@dataclass(frozen=True)
class Conflict:
    """A server glossary entry left out because the request's glossary says otherwise."""

    de: str
    request: str
    server_de: str
    server: str

    def report(self) -> dict:
        return {"de": self.de, "request": self.request, "server_term": self.server_de, "server": self.server, "used": "request"}


@dataclass(eq=False)
class Enforced:
    """A glossary's entries merged with the server's, and the enforcers of the merge: what the
    decoding thread uses for the sentences of a request naming this glossary."""

    key: str
    glossary: Glossary
    enforcer: GlossaryEnforcer
    reviewer: GlossaryEnforcer
    """A second enforcer, for reviews outside the decoding thread (as the server's own glossary has)."""
    conflicts: tuple[Conflict, ...] = ()
    matched_by: dict[str, tuple[Conflict, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for conflict in self.conflicts:
            self.matched_by[conflict.de] = self.matched_by.get(conflict.de, ()) + (conflict,)

    def conflicts_for(self, terms: Iterable[str]) -> list[dict]:
        """The conflicts of the request terms among `terms` (the German forms a translation matched)."""
        seen = []
        for term in dict.fromkeys(terms):
            seen.extend(c.report() for c in self.matched_by.get(term, ()))
        return seen


def merge(uploaded: Sequence[Entry], server: Glossary | None) -> tuple[Glossary, tuple[Conflict, ...]]:
    """The request's entries on top of the server's: where they disagree the request's win (see the
    module's docstring); returns the merged glossary and the server entries left out."""
    if server is None or not len(server):
        return Glossary(tuple(uploaded)), ()
    by_de = {entry.de: entry for entry in uploaded}
    by_words: dict[tuple[str, ...], list[Entry]] = {}
    for entry in uploaded:
        by_words.setdefault(_words(entry.de), []).append(entry)
    renderings = {entry.required.casefold() for entry in uploaded}
    covered: set[str] = set()
    kept: list[Entry] = []
    conflicts: list[Conflict] = []
    for entry in server:
        same = by_de.get(entry.de)
        if same is not None:
            if same.required == entry.required:
                covered.add(same.de)  # the server says the same, with its forbidden variants
                kept.append(entry)
            else:
                conflicts.append(Conflict(same.de, same.required, entry.de, entry.required))
            continue
        words = _words(entry.de)
        inside = [e for run in _runs(words) for e in by_words.get(run, ())]
        clashing = [e for e in inside if e.required.casefold() not in entry.required.casefold()]
        if clashing:
            conflicts.extend(Conflict(e.de, e.required, entry.de, entry.required) for e in clashing)
            continue
        forbidden = tuple(v for v in entry.forbidden if v.casefold() not in renderings)
        kept.append(entry if forbidden == entry.forbidden else replace(entry, forbidden=forbidden))
    merged = tuple(e for e in uploaded if e.de not in covered) + tuple(kept)
    return Glossary(merged), tuple(conflicts)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in WORD.findall(text))


def _runs(words: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    """Every run of consecutive words, the whole included."""
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            yield words[start:end]


def owner_of(key: str | None, scoped: bool) -> str:
    """What a glossary records of the key that made it: a digest, never the key ("" without keys)."""
    if not scoped or not key:
        return ""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class GlossaryStore:
    """The uploaded glossaries of one server: files in `folder`, an index in memory.

    `scoped`: keys are configured, so each key sees only its own glossaries."""

    def __init__(self, folder: Path, limits: GlossaryLimits, server: Glossary | None, *, scoped: bool, kept: int = ENFORCERS_KEPT):
        self.folder = Path(folder)
        self.limits = limits
        self.server = server
        self.scoped = scoped
        self._glossaries: dict[str, StoredGlossary] = {}
        self._enforced: OrderedDict[str, Enforced] = OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    def open(self) -> "GlossaryStore":
        """Read every glossary file; a file that cannot be read is skipped with a warning."""
        try:
            if not self.folder.is_dir():
                return self
            paths = sorted(self.folder.glob("*.json"))
        except OSError as error:
            raise InputError(self.folder, f"cannot read the glossary folder ({error.strerror or error})") from None
        for path in paths:
            try:
                stored = StoredGlossary.from_json(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
                sys.stderr.write(f"dolmetsch: warning: {path}: not read ({type(error).__name__}); the glossary is left out\n")
                continue
            if path.stem != stored.glossary_id:
                sys.stderr.write(f"dolmetsch: warning: {path}: its name is not its glossary id; left out\n")
                continue
            self._glossaries[stored.glossary_id] = stored
        return self

    def __len__(self) -> int:
        return len(self._glossaries)

    def visible(self, owner: str) -> list[StoredGlossary]:
        with self._lock:
            found = [g for g in self._glossaries.values() if not self.scoped or g.owner == owner]
        return sorted(found, key=lambda g: g.creation_time)

    def get(self, owner: str, glossary_id: str) -> StoredGlossary | None:
        with self._lock:
            found = self._glossaries.get(glossary_id)
        if found is None or (self.scoped and found.owner != owner):
            return None
        return found

    def create(self, owner: str, name: str, entries: Sequence[tuple[str, str, int]]) -> StoredGlossary:
        """Write a new glossary (atomically) and index it. GlossaryRefused beyond the per-key limit;
        InputError when the file cannot be written."""
        with self._lock:
            held = sum(1 for g in self._glossaries.values() if not self.scoped or g.owner == owner)
            if held >= self.limits.per_key:
                raise GlossaryRefused(f"{held} glossaries are stored for this key, this server's limit; delete one first")
            stored = StoredGlossary(
                str(uuid.uuid4()), name, _now(), owner, tuple((source, target) for source, target, _ in entries)
            )
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_text_atomic(self._path(stored.glossary_id), stored.to_json())
            self._glossaries[stored.glossary_id] = stored
        return stored

    def delete(self, owner: str, glossary_id: str) -> bool:
        with self._lock:
            found = self._glossaries.get(glossary_id)
            if found is None or (self.scoped and found.owner != owner):
                return False
            self._path(glossary_id).unlink(missing_ok=True)
            del self._glossaries[glossary_id]
            self._enforced.pop(glossary_id, None)
        return True

    def enforced(self, stored: StoredGlossary) -> Enforced:
        """The merged glossary's enforcers, built once and kept for the recently used glossaries.
        Called on one thread (the server's preparation thread), so a glossary is never built twice at once."""
        with self._lock:
            found = self._enforced.get(stored.glossary_id)
            if found is not None:
                self._enforced.move_to_end(stored.glossary_id)
                return found
        merged, conflicts = merge(stored.glossary_entries(), self.server)
        built = Enforced(stored.glossary_id, merged, GlossaryEnforcer(merged), GlossaryEnforcer(merged), conflicts)
        with self._lock:
            if stored.glossary_id in self._glossaries:  # not deleted meanwhile
                self._enforced[stored.glossary_id] = built
                while len(self._enforced) > self._kept:
                    self._enforced.popitem(last=False)
        return built

    def _path(self, glossary_id: str) -> Path:
        if not ID.fullmatch(glossary_id):
            raise ValueError("not a glossary id")
        return self.folder / f"{glossary_id}.json"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
