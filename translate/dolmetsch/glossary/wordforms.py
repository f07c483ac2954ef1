"""Word forms the glossary needs, from simplemma and lemminflect, kept on disk between runs.

German lemmas: simplemma decodes its whole German dictionary (1.1 million forms, front-coded) in Python the first
time a process lemmatizes a word: 1.7 s in every run that matches a glossary. An article needs a few
hundred of those forms, so the first run copies the dictionary into an SQLite index under
`$XDG_CACHE_HOME/dolmetsch/lemmas/` (one file per simplemma release and data file, written
atomically), and every later run reads just the words it looks up. Where that folder cannot be
written, simplemma's own in-memory dictionary serves, as slowly as before.

English plurals: lemminflect reads its tables (0.7 s) before it inflects one noun, and a glossary
has a few dozen. The plurals it gave are remembered in a small JSON file per lemminflect release
beside the index, so a run whose glossary has not changed never loads lemminflect.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from dolmetsch.atomic import write_bytes_atomic, write_text_atomic
from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError

LANGUAGE = "de"
INDEX_SCHEMA = 1
"""Bumped when the index's tables change, so that an old file is not read as a new one."""


def wordform_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/wordforms (default ~/.cache), read at call time."""
    return user_cache_dir("wordforms")


class IndexedDictionary(Mapping[str, str]):
    """simplemma's form → lemma dictionary for one language, looked up in an SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def get(self, form: str, default=None):
        row = self._db.execute("SELECT lemma FROM forms WHERE form = ?", (form.encode(),)).fetchone()
        return row[0].decode() if row else default

    def __getitem__(self, form: str) -> str:
        lemma = self.get(form)
        if lemma is None:
            raise KeyError(form)
        return lemma

    def __iter__(self) -> Iterator[str]:
        for (form,) in self._db.execute("SELECT form FROM forms"):
            yield form.decode()

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM forms").fetchone()[0]


class IndexedDictionaryFactory:
    """A simplemma `DictionaryFactory` that serves each language from its index, building it once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._loaded: dict[str, Mapping[str, str]] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang not in self._loaded:
            self._loaded[lang] = self._open(lang)
        return self._loaded[lang]

    def _open(self, lang: str) -> Mapping[str, str]:
        from simplemma.strategies.dictionaries.dictionary_factory import (  # simplemma's loader, the slow path
            DATA_FOLDER,
            MappingStrToByteString,
            _load_dictionary_from_disk,
        )

        path = self.folder / index_name(lang, DATA_FOLDER / f"{lang}.plzma")
        if not path.is_file():
            forms = _load_dictionary_from_disk(lang)
            try:
                write_index(path, forms)
            except (OSError, sqlite3.Error, InputError):  # an unwritable or full cache: keep what was just decoded
                return MappingStrToByteString(forms)
        return IndexedDictionary(path)


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
            db.execute("CREATE TABLE forms (form BLOB PRIMARY KEY, lemma BLOB NOT NULL) WITHOUT ROWID")
            db.executemany("INSERT INTO forms VALUES (?, ?)", sorted(forms.items()))
            db.commit()
        finally:
            db.close()
        write_bytes_atomic(path, built.read_bytes())


@cache
def german_lemmatizer():
    """simplemma's Lemmatizer with the indexed dictionary, made on first use, once per process."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=IndexedDictionaryFactory(wordform_cache_dir())))


def lemmatize(word: str) -> str:
    """The German lemma of `word`, as simplemma gives it."""
    return german_lemmatizer().lemmatize(word, lang=LANGUAGE)


class PluralMemo:
    """lemminflect's plurals of English nouns, remembered in a JSON file (see the module docstring)."""

    def __init__(self, folder: Path):
        from importlib.metadata import version

        self.path = folder / f"en-plurals-lemminflect-{version('lemminflect')}.json"
        try:
            self._known: dict[str, list[str]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._known = {}

    def plurals(self, noun: str) -> tuple[str, ...]:
        """lemminflect's plurals of `noun` (tag NNS), preferred first; () when it has none."""
        if noun not in self._known:
            from lemminflect import getInflection  # loads lemminflect's tables: only on a noun not seen before

            self._known[noun] = list(getInflection(noun, tag="NNS") or ())
            self._save()
        return tuple(self._known[noun])

    def _save(self) -> None:
        try:
            write_text_atomic(self.path, json.dumps(self._known, ensure_ascii=False, sort_keys=True))
        except InputError:  # an unwritable cache only costs the next run the lookup again
            pass


@cache
def plural_memo() -> PluralMemo:
    """The process's plural memo, read on first use."""
    return PluralMemo(wordform_cache_dir())


def english_plurals(noun: str) -> tuple[str, ...]:
    """The plurals of English `noun` that lemminflect gives, preferred first."""
    return plural_memo().plurals(noun)
