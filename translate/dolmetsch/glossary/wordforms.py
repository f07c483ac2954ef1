"""Word forms the glossary needs, from simplemma and lemminflect, kept on disk between runs.

German lemmas: simplemma decodes its whole German dictionary (1.1 million forms, front-coded) in Python the first
time a process lemmatizes a word: 1.7 s in every run that matches a glossary. An article needs a few
hundred of those forms, so the first run copies the dictionary into an SQLite index under
`$XDG_CACHE_HOME/dolmetsch/wordforms/` (one file per simplemma release and data file, written
atomically), and every later run reads just the words it looks up. Where that folder cannot be
written, simplemma's own in-memory dictionary serves, as slowly as before.

English plurals: lemminflect reads its tables (0.7 s) before it inflects one noun, and a glossary
has a few dozen. The plurals it gave are remembered in a small JSON file per lemminflect release
beside the index, so a run whose glossary has not changed never loads lemminflect.

Both are checked before use and rebuilt when they fail: the index's header must agree with its
size and each row with its stored digest; each plural with the digest stored beside it. Damage
(a cut file, a crash, a full disk) costs time, never a failed run or a different lemma or plural.
The digests catch accidents, not deliberate edits.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

from dolmetsch.atomic import write_bytes_atomic, write_text_atomic
from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError

LANGUAGE = "de"
INDEX_SCHEMA = 2
"""Bumped when the index's tables change, so that an old file is not read as a new one."""
SQLITE_MAGIC = b"SQLite format 3\x00"
ROW_CHECK_BYTES = 4


def wordform_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/wordforms (default ~/.cache), read at call time."""
    return user_cache_dir("wordforms")


class DamagedIndex(sqlite3.DatabaseError):
    """A row of the index does not match its check: the file was damaged after it was written."""


def _row_check(form: bytes, lemma: bytes) -> bytes:
    """A short digest of a row, stored beside it: a damaged row is noticed before its lemma is used."""
    return hashlib.blake2b(form + b"\x00" + lemma, digest_size=ROW_CHECK_BYTES).digest()


class IndexedDictionary(Mapping[str, str]):
    """simplemma's form → lemma dictionary for one language, looked up in an SQLite file.

    Every row is checked against its stored digest before its lemma is used. When SQLite reports
    the file damaged or a row fails its check, `fallback` (simplemma's own dictionary, decoded
    afresh) answers from then on, so damage costs time and never changes a lemma.
    """

    def __init__(self, path: Path, fallback: Callable[[], Mapping[str, str]] | None = None):
        self.path = path
        self._fallback = fallback
        self._replacement: Mapping[str, str] | None = None
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def _replace(self, exc: Exception) -> Mapping[str, str]:
        """The fallback dictionary, from the first sign of damage on (re-raises without a fallback)."""
        if self._fallback is None:
            raise exc
        if self._replacement is None:
            self._replacement = self._fallback()
            self._db.close()
        return self._replacement

    def _lookup(self, form: str) -> str | None:
        key = form.encode()
        row = self._db.execute("SELECT lemma, row_check FROM forms WHERE form = ?", (key,)).fetchone()
        if row is None:
            return None
        lemma, check = row
        if not isinstance(lemma, bytes) or check != _row_check(key, lemma):
            raise DamagedIndex(f"{self.path}: the row of {form!r} fails its check")
        return lemma.decode()

    def get(self, form: str, default=None):
        if self._replacement is None:
            try:
                lemma = self._lookup(form)
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                return self._replace(exc).get(form, default)
            return default if lemma is None else lemma
        return self._replacement.get(form, default)

    def __getitem__(self, form: str) -> str:
        lemma = self.get(form)
        if lemma is None:
            raise KeyError(form)
        return lemma

    def __iter__(self) -> Iterator[str]:
        if self._replacement is None:
            try:
                forms = [form.decode() for (form,) in self._db.execute("SELECT form FROM forms")]
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                forms = list(self._replace(exc))
            return iter(forms)
        return iter(self._replacement)

    def __len__(self) -> int:
        if self._replacement is None:
            try:
                return self._db.execute("SELECT count(*) FROM forms").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                return len(self._replace(exc))
        return len(self._replacement)


def index_is_sound(path: Path) -> bool:
    """Whether `path` looks like a complete index of this schema, checked cheaply before each use.

    The SQLite header must be intact and agree with the file's size (a truncated or cut file does
    not), and the file must say it holds this schema's tables. Rows are checked as they are read.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] != header[92:96] or pages == 0 or page_size * pages != size:
        return False
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == str(INDEX_SCHEMA)


class IndexedDictionaryFactory:
    """A simplemma `DictionaryFactory` that serves each language from its index, building it once.

    An index that fails `index_is_sound` is built again (and replaced where the folder is
    writable), exactly as if it were missing.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._loaded: dict[str, Mapping[str, str]] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang not in self._loaded:
            self._loaded[lang] = self._open(lang)
        return self._loaded[lang]

    def _open(self, lang: str) -> Mapping[str, str]:
        from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER, MappingStrToByteString

        path = self.folder / index_name(lang, DATA_FOLDER / f"{lang}.plzma")
        if not index_is_sound(path):
            forms, written = _decode_and_write(lang, path)
            if not written:  # an unwritable or full cache: keep what was just decoded
                return MappingStrToByteString(forms)
        return IndexedDictionary(path, fallback=lambda: MappingStrToByteString(_decode_and_write(lang, path)[0]))


def _decode_and_write(lang: str, path: Path) -> tuple[dict[bytes, bytes], bool]:
    """simplemma's dictionary decoded the slow way, and whether it could be written as the index at `path`."""
    from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk

    forms = _load_dictionary_from_disk(lang)
    try:
        write_index(path, forms)
    except (OSError, sqlite3.Error, InputError):
        return forms, False
    return forms, index_is_sound(path)


def index_name(lang: str, data_file: Path) -> str:
    """The index's file name: language, simplemma release, data file size, schema."""
    from importlib.metadata import version

    return f"{lang}-simplemma-{version('simplemma')}-{data_file.stat().st_size}-v{INDEX_SCHEMA}.sqlite"


def write_index(path: Path, forms: dict[bytes, bytes]) -> None:
    """Build the index in a scratch folder, then write it in place atomically (a reader never sees
    half of one, and a failure leaves no file)."""
    with tempfile.TemporaryDirectory(prefix="dolmetsch-wordforms-") as scratch:
        built = Path(scratch) / path.name
        db = sqlite3.connect(built)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(INDEX_SCHEMA),))
            db.execute(
                "CREATE TABLE forms (form BLOB PRIMARY KEY, lemma BLOB NOT NULL, row_check BLOB NOT NULL) WITHOUT ROWID"
            )
            db.create_function("row_check", 2, _row_check, deterministic=True)
            db.executemany("INSERT INTO forms VALUES (?1, ?2, row_check(?1, ?2))", sorted(forms.items()))
            db.commit()
        finally:
            db.close()
        write_bytes_atomic(path, built.read_bytes())


LEMMA_CACHE_SIZE = 1024
"""simplemma's own memo of lemmas: small, since the matcher keeps every word's keys already and
a memo of tens of thousands of words would only hold each of them a second time."""


@cache
def german_lemmatizer():
    """simplemma's Lemmatizer with the indexed dictionary, made on first use, once per process."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    strategy = DefaultStrategy(dictionary_factory=IndexedDictionaryFactory(wordform_cache_dir()))
    return Lemmatizer(cache_max_size=LEMMA_CACHE_SIZE, lemmatization_strategy=strategy)


def lemmatize(word: str) -> str:
    """The German lemma of `word`, as simplemma gives it."""
    return german_lemmatizer().lemmatize(word, lang=LANGUAGE)


PLURAL_MEMO_SCHEMA = 2
"""Bumped when the memo's layout changes, so that an old file is never read as a new one."""


class PluralMemo:
    """lemminflect's plurals of English nouns, remembered in a JSON file (see the module docstring).

    Each noun's entry carries a SHA-256 of the noun and its plurals; an entry of the wrong shape or
    whose digest does not match is ignored, asked of lemminflect again and written back correct.
    """

    def __init__(self, folder: Path):
        from importlib.metadata import version

        self.path = folder / f"en-plurals-lemminflect-{version('lemminflect')}-v{PLURAL_MEMO_SCHEMA}.json"
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        self._known: dict[str, list[str]] = _checked_plurals(stored)

    def plurals(self, noun: str) -> tuple[str, ...]:
        """lemminflect's plurals of `noun` (tag NNS), preferred first; () when it has none."""
        if noun not in self._known:
            from lemminflect import getInflection  # loads lemminflect's tables: only on a noun not seen before

            self._known[noun] = list(getInflection(noun, tag="NNS") or ())
            self._save()
        return tuple(self._known[noun])

    def _save(self) -> None:
        entries = {noun: {"plurals": plurals, "sha256": _plurals_digest(noun, plurals)} for noun, plurals in self._known.items()}
        try:
            write_text_atomic(self.path, json.dumps(entries, ensure_ascii=False, sort_keys=True))
        except (InputError, OSError):  # an unwritable or full cache only costs the next run the lookup again
            pass


def _plurals_digest(noun: str, plurals: list[str]) -> str:
    return hashlib.sha256(json.dumps([noun, plurals], ensure_ascii=False).encode("utf-8")).hexdigest()


def _checked_plurals(stored: object) -> dict[str, list[str]]:
    """The entries of a memo file that have the right shape and match their digest; the rest is dropped."""
    if not isinstance(stored, dict):
        return {}
    known = {}
    for noun, entry in stored.items():
        if not isinstance(entry, dict):
            continue
        plurals = entry.get("plurals")
        if not isinstance(plurals, list) or not all(isinstance(p, str) for p in plurals):
            continue
        if entry.get("sha256") == _plurals_digest(noun, plurals):
            known[noun] = plurals
    return known


@cache
def plural_memo() -> PluralMemo:
    """The process's plural memo, read on first use."""
    return PluralMemo(wordform_cache_dir())


def english_plurals(noun: str) -> tuple[str, ...]:
    """The plurals of English `noun` that lemminflect gives, preferred first."""
    return plural_memo().plurals(noun)
