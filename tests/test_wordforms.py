"""The word-form cache: simplemma's German dictionary as an index on disk, lemminflect's plurals in a memo."""

from __future__ import annotations

import sqlite3
import stat

import pytest
import simplemma

from dolmetsch.glossary import wordforms
from dolmetsch.glossary.wordforms import IndexedDictionary, IndexedDictionaryFactory, PluralMemo, wordform_cache_dir
from conftest import EXAMPLE

WORDS = sorted({w.strip(".,:;„“()") for w in EXAMPLE.read_text(encoding="utf-8").split()} - {""})


@pytest.fixture(scope="module")
def built_index(shared_wordforms):
    """The session's index (built here if no test has needed it yet)."""
    dictionary = IndexedDictionaryFactory(shared_wordforms).get_dictionary("de")
    assert isinstance(dictionary, IndexedDictionary)
    return dictionary


def indexed_lemmatizer(folder):
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=IndexedDictionaryFactory(folder)))


def test_index_gives_simplemmas_own_lemmas_for_every_word_of_the_article(built_index):
    lemmatizer = indexed_lemmatizer(built_index.path.parent)
    differ = [(w, lemmatizer.lemmatize(w, lang="de"), simplemma.lemmatize(w, lang="de")) for w in WORDS]
    assert [d for d in differ if d[1] != d[2]] == []
    assert len(built_index) > 1_000_000
    assert built_index["Weltraumbahnhöfe"] == "Weltraumbahnhof"
    assert built_index.get("Xqzzy") is None


def test_a_run_with_the_index_never_decodes_simplemmas_dictionary(built_index, monkeypatch):
    from simplemma.strategies.dictionaries import dictionary_factory

    def decoded(lang):
        raise AssertionError("decoded the whole dictionary although the index exists")

    monkeypatch.setattr(dictionary_factory, "_load_dictionary_from_disk", decoded)
    assert indexed_lemmatizer(built_index.path.parent).lemmatize("Raketen", lang="de") == "Rakete"


def test_the_index_lives_in_the_user_cache_and_is_readable_like_a_cache_file(built_index, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert wordform_cache_dir() == tmp_path / "c" / "dolmetsch" / "wordforms"
    assert built_index.path.name.startswith(f"de-simplemma-{simplemma.__version__}-")
    assert stat.S_IMODE(built_index.path.stat().st_mode) & 0o044  # not mkstemp's 0600
    assert not [p for p in built_index.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_no_scratch_file_and_falls_back(tmp_path, monkeypatch):
    def full_disk(path, forms):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wordforms, "write_index", full_disk)
    dictionary = IndexedDictionaryFactory(tmp_path).get_dictionary("de")
    assert not isinstance(dictionary, IndexedDictionary)
    assert dictionary["Raketen"] == "Rakete"
    assert list(tmp_path.iterdir()) == []


def test_write_index_replaces_atomically_and_cleans_up_on_failure(tmp_path):
    target = tmp_path / "de.sqlite"
    wordforms.write_index(target, {b"Raketen": b"Rakete"})
    assert IndexedDictionary(target)["Raketen"] == "Rakete"
    with pytest.raises(sqlite3.ProgrammingError):
        wordforms.write_index(target, {b"a": object()})  # sqlite refuses the value half-way
    assert IndexedDictionary(target)["Raketen"] == "Rakete"  # the old index is intact
    assert [p.name for p in tmp_path.iterdir()] == ["de.sqlite"]


def test_plural_memo_remembers_lemminflects_plurals_across_runs(tmp_path, monkeypatch):
    first = PluralMemo(tmp_path)
    assert first.plurals("head") == ("heads",)
    assert first.plurals("spokesman") == ("spokesmen",)
    assert first.plurals("xqzt") == ("xqzts",)  # lemminflect inflects unknown nouns by rule

    import lemminflect

    def loaded(*args, **kwargs):
        raise AssertionError("lemminflect consulted for a remembered noun")

    monkeypatch.setattr(lemminflect, "getInflection", loaded)
    again = PluralMemo(tmp_path)
    assert (again.plurals("head"), again.plurals("spokesman"), again.plurals("xqzt")) == (("heads",), ("spokesmen",), ("xqzts",))


def test_a_damaged_plural_memo_is_rebuilt(tmp_path):
    memo = PluralMemo(tmp_path)
    memo.path.parent.mkdir(parents=True, exist_ok=True)
    memo.path.write_text("{not json", encoding="utf-8")
    assert PluralMemo(tmp_path).plurals("cosmodrome") == ("cosmodromes",)
    assert "cosmodrome" in memo.path.read_text(encoding="utf-8")
