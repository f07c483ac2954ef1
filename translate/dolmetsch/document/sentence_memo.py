"""Sentence spans remembered between runs, so that an unchanged article is not split again.

Building SoMaJo's tokenizer costs about 0.6 s in every process (it compiles its rules with the
`regex` module, in Python), and splitting costs milliseconds a sentence; a re-run of an unchanged
article needs neither. Spans are kept in an SQLite file under `$XDG_CACHE_HOME/dolmetsch/sentences/`,
keyed by the text's SHA-256, one file per SoMaJo release and version of the splitting rules (a hash
of `sentences.py`), so a new release or rule never reads old spans. A cache that cannot be opened,
read or written only means splitting again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from functools import cache
from pathlib import Path

from dolmetsch.cache import user_cache_dir


class SentenceMemo:
    """Spans of texts split before, by the text's SHA-256."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=0.5, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")  # readers in other processes never wait on a writer
            db.execute("PRAGMA synchronous = OFF")  # a lost row after a crash is only split again
            db.execute("CREATE TABLE IF NOT EXISTS spans (text_sha256 BLOB PRIMARY KEY, spans TEXT NOT NULL) WITHOUT ROWID")
            self._db: sqlite3.Connection | None = db
        except (OSError, sqlite3.Error):
            self._db = None

    def get(self, text: str) -> list[tuple[int, int]] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT spans FROM spans WHERE text_sha256 = ?", (_digest(text),)).fetchone()
        except sqlite3.Error:
            return None
        return [(start, end) for start, end in json.loads(row[0])] if row else None

    def put(self, text: str, spans: list[tuple[int, int]]) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO spans VALUES (?, ?)", (_digest(text), json.dumps(spans)))
        except sqlite3.Error:  # locked by another process, disk full: the next run splits again
            pass


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def memo_name() -> str:
    """The memo's file name: SoMaJo's release and a hash of the rules in `sentences.py`."""
    from importlib.metadata import version

    rules = hashlib.sha256((Path(__file__).parent / "sentences.py").read_bytes()).hexdigest()[:12]
    return f"somajo-{version('SoMaJo')}-rules-{rules}.sqlite"


@cache
def sentence_memo() -> SentenceMemo:
    """The process's memo, opened on first use."""
    return SentenceMemo(user_cache_dir("sentences") / memo_name())
