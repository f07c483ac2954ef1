"""Sentence spans remembered between runs, so that an unchanged article is not split again.

Building SoMaJo's tokenizer costs about 0.6 s in every process (it compiles its rules with the
`regex` module, in Python), and splitting costs milliseconds a sentence; a re-run of an unchanged
article needs neither. Spans are kept in an SQLite file under `$XDG_CACHE_HOME/dolmetsch/sentences/`,
keyed by the text's SHA-256, one file per SoMaJo release, version of the splitting rules (a hash
of `sentences.py`) and layout of the file, so a new release or rule never reads old spans.

The memo is only ever a shortcut: a cache that cannot be opened, read or written only means
splitting again. Each row carries a SHA-256 of its key and spans, and spans are used only when that
digest matches and they are well formed for the text (sorted, non-overlapping, in range, starting
and ending on visible characters, only whitespace between and around them). Anything else is split
afresh and the row replaced; a file SQLite reports as damaged is deleted and started anew. The
digest catches what crashes and disks do to a file, not deliberate edits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from functools import cache
from pathlib import Path

from dolmetsch.cache import user_cache_dir

MEMO_SCHEMA = 2
"""Bumped when the file's tables change, so that an old file is never read as a new one."""


class SentenceMemo:
    """Spans of texts split before, by the text's SHA-256."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                self._start_anew()
        except OSError:
            pass

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=0.5, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode = WAL")  # readers in other processes never wait on a writer
            db.execute("PRAGMA synchronous = OFF")  # a lost row after a crash is only split again
            db.execute(
                "CREATE TABLE IF NOT EXISTS spans (text_sha256 BLOB PRIMARY KEY, spans TEXT NOT NULL, "
                "check_sha256 BLOB NOT NULL) WITHOUT ROWID"
            )
        except BaseException:
            db.close()
            raise
        return db

    def _start_anew(self) -> None:
        """Delete a file SQLite calls damaged (with its journal) and open an empty one in its place."""
        if self._db is not None:
            self._db.close()
            self._db = None
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error):
            self._db = None

    def get(self, text: str) -> list[tuple[int, int]] | None:
        """The spans remembered for `text`, or None when there are none or they fail validation."""
        if self._db is None:
            return None
        key = _digest(text)
        try:
            row = self._db.execute("SELECT spans, check_sha256 FROM spans WHERE text_sha256 = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            if _is_damage(exc):
                self._start_anew()
            return None
        if row is None:
            return None
        stored, check = row
        if not isinstance(stored, str) or check != _check(key, stored):
            return None
        try:
            spans = json.loads(stored)
        except ValueError:
            return None
        return valid_spans(text, spans)

    def put(self, text: str, spans: list[tuple[int, int]]) -> None:
        if self._db is None:
            return
        key = _digest(text)
        stored = json.dumps([[start, end] for start, end in spans])
        try:
            self._db.execute("INSERT OR REPLACE INTO spans VALUES (?, ?, ?)", (key, stored, _check(key, stored)))
        except sqlite3.Error as exc:  # locked by another process, disk full: the next run splits again
            if _is_damage(exc):
                self._start_anew()


def valid_spans(text: str, spans: object) -> list[tuple[int, int]] | None:
    """`spans` as a list of (start, end) when they are sentence spans of `text`, else None.

    Sentence spans are sorted, non-overlapping and inside the text, each starts and ends on a
    visible character, and only whitespace lies between and around them: exactly what
    `split_sentences` produces, whatever the splitter decided.
    """
    if not isinstance(spans, list):
        return None
    result: list[tuple[int, int]] = []
    position = 0
    for span in spans:
        if not (isinstance(span, list) and len(span) == 2 and all(type(x) is int for x in span)):
            return None
        start, end = span
        if not (position <= start < end <= len(text)):
            return None
        if text[position:start].strip() or text[start].isspace() or text[end - 1].isspace():
            return None
        result.append((start, end))
        position = end
    if text[position:].strip():
        return None
    return result


def _is_damage(exc: sqlite3.Error) -> bool:
    """A file that is not a database or is malformed, as opposed to one that is busy or unwritable."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _check(key: bytes, stored: str) -> bytes:
    return hashlib.sha256(key + stored.encode("utf-8")).digest()


def memo_name() -> str:
    """The memo's file name: SoMaJo's release, a hash of the rules in `sentences.py`, the file's layout."""
    from importlib.metadata import version

    rules = hashlib.sha256((Path(__file__).parent / "sentences.py").read_bytes()).hexdigest()[:12]
    return f"somajo-{version('SoMaJo')}-rules-{rules}-v{MEMO_SCHEMA}.sqlite"


@cache
def sentence_memo() -> SentenceMemo:
    """The process's memo, opened on first use."""
    return SentenceMemo(user_cache_dir("sentences") / memo_name())
