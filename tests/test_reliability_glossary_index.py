"""The glossary index: built once per run, kept on disk, and never trusted when it is not sound."""

from __future__ import annotations

import os
import pickle
import random
import re

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.sources import read_document
from dolmetsch.glossary import index_cache, matcher
from dolmetsch.glossary.index_cache import IndexCache, index_cache_dir, index_key
from dolmetsch.glossary.loading import load_glossary
from dolmetsch.glossary.matcher import GlossaryMatcher
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.glossary.tsv import write_tsv
from dolmetsch.glossary.wordforms import lemmatize

SENTENCES = [s.text for s in read_document(str(EXAMPLE)).segments()]
BUNDLED = ROOT / "glossary"


@pytest.fixture
def builds(monkeypatch):
    """How many times an index was built (not read from the cache) since the test began."""
    count = []
    real = matcher.build_index

    def counting(entries):
        count.append(len(entries))
        return real(entries)

    monkeypatch.setattr(matcher, "build_index", counting)
    return count


@pytest.fixture
def cache_small(monkeypatch):
    """Cache glossaries of any size, so the bundled one goes through the disk as a big one would."""
    monkeypatch.setattr(index_cache, "MIN_ENTRIES", 0)


def generated_glossary() -> Glossary:
    """Over a thousand entries from the article's own words: distinct words, pairs and triples, as
    written (so gaps of every kind occur) or with every word lemmatised (so inflected forms must
    match), some verbatim (`keep`, `match=exact`), the curated glossary, and entries that never
    occur but share their first words with the text."""
    text = EXAMPLE.read_text(encoding="utf-8")
    tokens = list(re.finditer(r"\w+", text))
    forms: dict[str, None] = {}
    for size in (1, 2, 3):
        for i in range(0, len(tokens) - size + 1, size):
            run = tokens[i : i + size]
            form = text[run[0].start() : run[-1].end()]
            if "\n" in form:
                continue
            forms[form] = None
            if i % 3 == 1:
                lemmas = [lemmatize(t.group()) for t in run]
                gaps = [text[a.end() : b.start()] for a, b in zip(run, run[1:])] + [""]
                forms["".join(lemma + gap for lemma, gap in zip(lemmas, gaps))] = None
    entries = list(load_glossary(BUNDLED))
    seen = {e.de for e in entries}
    for number, form in enumerate(forms):
        if form in seen:
            continue
        if number % 11 == 0:
            entries.append(Entry(form, form, kind="keep"))
        elif number % 7 == 0:
            entries.append(Entry(form, f"en {number}", match="exact"))
        else:
            entries.append(Entry(form, f"en {number}"))
        if number % 5 == 0:
            entries.append(Entry(f"{form} Qxzv{number}", "-"))
    assert len(entries) > index_cache.MIN_ENTRIES
    return Glossary(tuple(entries))


def all_matches(m: GlossaryMatcher) -> list:
    return [m.match(sentence) for sentence in SENTENCES]


def cache_file(glossary: Glossary):
    return IndexCache(index_cache_dir()).path(index_key(glossary.entries))


# --- the cached index matches exactly as a fresh one ------------------------------------------


def test_index_read_back_matches_the_article_as_a_fresh_one(cache_small, builds):
    cold = GlossaryMatcher(load_glossary(BUNDLED))
    assert builds == [len(cold)] and cache_file(load_glossary(BUNDLED)).is_file()
    warm = GlossaryMatcher(load_glossary(BUNDLED))  # another run: a new glossary object, same files
    assert len(builds) == 1, "the stored index was not used"
    assert all_matches(warm) == all_matches(cold)
    assert sum(map(len, all_matches(warm))) > 100


def test_index_read_back_matches_a_generated_glossary_as_a_fresh_one(builds):
    expected = all_matches(GlossaryMatcher(generated_glossary()))
    assert len(builds) == 1
    warm = GlossaryMatcher(generated_glossary())
    assert len(builds) == 1
    assert all_matches(warm) == expected
    found = [m for sentence in expected for m in sentence]
    assert len(found) > 150
    assert any(m.entry.verbatim for m in found) and any(m.text != m.entry.de for m in found)


def test_a_small_glossary_is_not_written_to_disk(builds):
    GlossaryMatcher(load_glossary(BUNDLED))
    assert not index_cache_dir().exists()


# --- a damaged cache is ignored and rebuilt ---------------------------------------------------


def _truncated(data: bytes, other: bytes) -> bytes:
    return data[: len(data) // 2]


def _random(data: bytes, other: bytes) -> bytes:
    return random.Random(7).randbytes(len(data))


def _empty(data: bytes, other: bytes) -> bytes:
    return b""


def _other_version(data: bytes, other: bytes) -> bytes:
    header = index_cache.MAGIC + b" %d\n" % index_cache.INDEX_FORMAT
    assert data.startswith(header)
    return index_cache.MAGIC + b" %d\n" % (index_cache.INDEX_FORMAT + 1) + data[len(header) :]


def _wrong_checksum(data: bytes, other: bytes) -> bytes:
    """The header and digest as written, one byte of the payload changed."""
    at = len(data) - 100
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _another_glossary(data: bytes, other: bytes) -> bytes:
    """A sound file, but the index of another glossary (its checksum is right)."""
    return other


@pytest.mark.parametrize(
    "damage", [_truncated, _random, _empty, _other_version, _wrong_checksum, _another_glossary], ids=lambda f: f.__name__.strip("_")
)
def test_a_damaged_index_file_is_ignored_and_rebuilt(builds, damage, cache_small):
    expected = all_matches(GlossaryMatcher(generated_glossary()))
    GlossaryMatcher(load_glossary(BUNDLED))
    path, other = cache_file(generated_glossary()), cache_file(load_glossary(BUNDLED))
    path.write_bytes(damage(path.read_bytes(), other.read_bytes()))
    builds.clear()

    rebuilt = GlossaryMatcher(generated_glossary())
    assert len(builds) == 1, "a damaged index was used"
    assert all_matches(rebuilt) == expected
    assert IndexCache(path.parent).load(path.stem) is not None, "the damaged file was not replaced"
    GlossaryMatcher(generated_glossary())
    assert len(builds) == 1


def test_a_file_that_cannot_be_unmarshalled_is_a_miss_not_an_error(builds, monkeypatch):
    """Even past the checksum (a file written by a broken writer), bad marshal data only means a rebuild."""
    expected = all_matches(GlossaryMatcher(generated_glossary()))

    def broken(data):
        raise ValueError("bad marshal data (unknown type code)")

    monkeypatch.setattr(index_cache.marshal, "loads", broken)
    assert all_matches(GlossaryMatcher(generated_glossary())) == expected
    assert len(builds) == 2


# --- an unwritable cache costs time only ------------------------------------------------------


def _file_in_the_way(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))


def _disk_full(tmp_path, monkeypatch):
    from dolmetsch.errors import InputError

    def full(target, data):
        raise InputError(target, "cannot write (No space left on device)")

    monkeypatch.setattr(index_cache, "write_bytes_atomic", full)


@pytest.mark.parametrize("block", [_file_in_the_way, _disk_full], ids=lambda f: f.__name__.strip("_"))
def test_an_unwritable_cache_only_costs_time(builds, tmp_path, monkeypatch, block):
    expected = all_matches(GlossaryMatcher(generated_glossary()))
    builds.clear()
    for cached in list(index_cache_dir().glob(f"*{index_cache.SUFFIX}")):
        cached.unlink()
    block(tmp_path, monkeypatch)
    first = GlossaryMatcher(generated_glossary())
    second = GlossaryMatcher(generated_glossary())
    assert all_matches(first) == all_matches(second) == expected
    assert len(builds) == 2  # each run indexes again, and that is all it costs


def test_a_full_cache_folder_keeps_the_most_recent_indexes(builds):
    folder = index_cache_dir()
    folder.mkdir(parents=True)
    for number in range(index_cache.KEEP_FILES + 3):
        old = folder / f"{number:064x}{index_cache.SUFFIX}"
        old.write_bytes(b"stale")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    GlossaryMatcher(generated_glossary())
    kept = sorted(p.name for p in folder.glob(f"*{index_cache.SUFFIX}"))
    assert len(kept) == index_cache.KEEP_FILES
    assert cache_file(generated_glossary()).name in kept
    assert f"{index_cache.KEEP_FILES + 2:064x}{index_cache.SUFFIX}" in kept  # the newest of the old ones


# --- a changed glossary file is indexed afresh ------------------------------------------------


def _first_match(m: GlossaryMatcher) -> Entry:
    return next(found.entry for sentence in all_matches(m) for found in sentence if not found.entry.verbatim)


def test_changing_a_glossary_file_invalidates_its_index(builds, tmp_path):
    path = tmp_path / "terms.tsv"
    entries = list(generated_glossary())
    write_tsv(path, entries)
    term = _first_match(GlossaryMatcher(load_glossary(path)))

    renamed = [Entry(f"{e.de} Qxzv", e.en, e.kind, e.note) if e == term else e for e in entries]
    write_tsv(path, renamed)
    builds.clear()
    after = GlossaryMatcher(load_glossary(path))
    assert len(builds) == 1, "the index of the old file was used"
    assert term.de not in {m.entry.de for s in all_matches(after) for m in s}
    assert all_matches(after) == all_matches(GlossaryMatcher(Glossary(tuple(renamed))))


def test_a_new_rendering_keeps_the_index_and_is_matched(builds, tmp_path):
    """The index holds entry positions only; renderings and notes come from the glossary itself."""
    path = tmp_path / "terms.tsv"
    entries = list(generated_glossary())
    write_tsv(path, entries)
    term = _first_match(GlossaryMatcher(load_glossary(path)))
    write_tsv(path, [Entry(e.de, "a new rendering", e.kind, e.note) if e == term else e for e in entries])
    builds.clear()
    after = GlossaryMatcher(load_glossary(path))
    assert builds == []
    assert {m.entry.en for s in all_matches(after) for m in s if m.entry.de == term.de} == {"a new rendering"}


def test_the_index_is_per_matching_rules_and_simplemma_release(monkeypatch, tmp_path):
    entries = generated_glossary().entries
    key = index_key(entries)
    rules = tmp_path / "matcher.py"
    rules.write_text("# other rules\n", encoding="utf-8")
    monkeypatch.setattr(index_cache, "RULES", rules)
    assert index_key(entries) != key
    monkeypatch.undo()
    monkeypatch.setattr(index_cache, "_simplemma_version", lambda: "0.0.0")
    assert index_key(entries) != key


# --- built once per run -----------------------------------------------------------------------


def test_translate_builds_the_glossary_index_once(builds, tmp_path):
    def translate(name: str):
        return CliRunner().invoke(app, [str(a) for a in (
            "translate", EXAMPLE, "--model", TINY_MODEL, "-o", tmp_path / name, "--locales", tmp_path / f"{name}-locales",
            "--glossary", BUNDLED, "--beam", "1",
        )])  # fmt: skip

    result = translate("first")
    assert result.exit_code == 0, result.output
    assert len(builds) == 1  # enforcement, the review page and the check summary share it


def test_a_second_translate_run_reads_the_index(builds, tmp_path, cache_small):
    def translate(name: str):
        return CliRunner().invoke(app, [str(a) for a in (
            "translate", EXAMPLE, "--model", TINY_MODEL, "-o", tmp_path / name, "--locales", tmp_path / f"{name}-locales",
            "--glossary", BUNDLED, "--beam", "1",
        )])  # fmt: skip

    assert translate("first").exit_code == 0 and len(builds) == 1
    assert translate("second").exit_code == 0 and len(builds) == 1
    assert (tmp_path / "first" / "putin-kim.glossary.json").read_text(encoding="utf-8") == (
        tmp_path / "second" / "putin-kim.glossary.json"
    ).read_text(encoding="utf-8")


def test_check_builds_the_glossary_index_once(builds):
    result = CliRunner().invoke(app, ["check", str(ROOT / "tests" / "fixtures" / "putin-kim.reviewed.en.po"), "--glossary", str(BUNDLED)])
    assert result.exit_code in (0, 1), result.output
    assert len(builds) == 1


def test_a_glossary_sent_to_a_worker_leaves_its_index_behind(builds):
    glossary = generated_glossary()
    GlossaryMatcher(glossary)
    copy = pickle.loads(pickle.dumps(glossary))
    assert copy == glossary and "_memo" not in copy.__dict__
    assert len(pickle.dumps(copy)) == len(pickle.dumps(Glossary(glossary.entries)))
