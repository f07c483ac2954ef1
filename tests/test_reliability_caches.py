"""Caches are optional: a damaged, unwritable or full cache costs time, never a run or a different output.

The central test translates the bundled article with the tiny model and the glossary three ways:
with a cold cache, a warm one, and a warm one damaged in each way a crash or a disk can damage it,
and compares every output file byte for byte. Each run happens in this process through the CLI,
after forgetting everything the process keeps between calls (as a new process would).
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL
from dolmetsch.cli import app

GLOSSARY = ROOT / "glossary"
DATES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): [^"]*"$', re.MULTILINE)


def forget_process_caches() -> None:
    """What a new process would not have: every memoised function of dolmetsch is cleared."""
    for name, module in list(sys.modules.items()):
        if name == "dolmetsch" or name.startswith("dolmetsch."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def cache_root() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"])


def translate_all(workspace: Path) -> dict[str, bytes]:
    """Every file a glossary run leaves (lock files included), by relative path, the PO's run date masked."""
    forget_process_caches()
    run = workspace / "run"
    shutil.rmtree(run, ignore_errors=True)
    args = ["translate", EXAMPLE, "--model", TINY_MODEL, "-g", GLOSSARY, "--beam", "1", "-q",
            "-o", run / "out", "--locales", run / "locales"]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    files = {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}
    shutil.rmtree(run)
    forget_process_caches()
    return {name: DATES.sub(rb'"\1: (run date)"', data) for name, data in files.items()}


def private_wordforms(empty: bool = False) -> Path:
    """The test's own word-form folder instead of the session's shared one (which must never be damaged)."""
    folder = cache_root() / "dolmetsch" / "wordforms"
    if folder.is_symlink():
        shared = folder.resolve()
        folder.unlink()
        if empty:
            folder.mkdir()
        else:
            shutil.copytree(shared, folder)
    return folder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The outputs of a cold run, the cache it left (checked to give the same outputs warm), in a cache of its own."""
    home = tmp_path_factory.mktemp("caches-baseline")
    with pytest.MonkeyPatch.context() as patch:
        for name, folder in [("HOME", ""), ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data"),
                             ("XDG_CONFIG_HOME", "config"), ("ARGOS_PACKAGES_DIR", "packages")]:
            patch.setenv(name, str(home / folder))
        patch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")
        cold = translate_all(home)
        assert (home / "cache" / "dolmetsch" / "wordforms").is_dir()
        warm_cache = home / "warm"
        shutil.copytree(home / "cache", warm_cache)
        warm = translate_all(home)
    assert warm == cold
    assert len(cold) >= 6
    return cold, warm_cache


def warm_cache(snapshot: Path) -> Path:
    """The baseline's warm cache, copied into this test's XDG_CACHE_HOME."""
    target = cache_root() / "dolmetsch"
    shutil.rmtree(target)
    shutil.copytree(snapshot / "dolmetsch", target)
    return target


def one(pattern: str) -> Path:
    (found,) = (cache_root() / "dolmetsch").glob(pattern)
    return found


# --- how caches get damaged ------------------------------------------------------------------------------


def memo_rows(value: str) -> None:
    db = sqlite3.connect(one("sentences/*.sqlite"))
    db.execute("UPDATE spans SET spans = ?", (value,))
    db.commit()
    db.close()


def memo_rows_valid_json_wrong_spans() -> None:
    """Rows whose spans are well-formed JSON, with the digest recomputed where the file has one."""
    db = sqlite3.connect(one("sentences/*.sqlite"))
    columns = [row[1] for row in db.execute("PRAGMA table_info(spans)")]
    stored = "[[0, 1]]"
    if "check_sha256" in columns:
        from dolmetsch.document import sentence_memo

        for (key,) in db.execute("SELECT text_sha256 FROM spans").fetchall():
            db.execute("UPDATE spans SET spans = ?, check_sha256 = ? WHERE text_sha256 = ?", (stored, sentence_memo._check(key, stored), key))
    else:
        db.execute("UPDATE spans SET spans = ?", (stored,))
    db.commit()
    db.close()


def cut(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def index_file() -> Path:
    return one("wordforms/*.sqlite")


def index_with_wrong_lemmas() -> None:
    """Every form of the article gets the lemma 'Zzz': a file SQLite finds perfectly well formed."""
    words = {w.strip(".,:;„“”\"()?!") for w in EXAMPLE.read_text(encoding="utf-8").split()}
    db = sqlite3.connect(index_file())
    db.executemany("UPDATE forms SET lemma = ? WHERE form = ?", [(b"Zzz", w.encode()) for w in words if w])
    db.commit()
    db.close()


def plural_memo_file() -> Path:
    return one("wordforms/en-plurals-*.json")


def plural_memo_of_wrong_plurals() -> None:
    """Every remembered plural replaced by 'NOUN zzz', each entry's digest left as it was."""
    path = plural_memo_file()
    memo = json.loads(path.read_text(encoding="utf-8"))
    for noun, entry in memo.items():
        if isinstance(entry, dict):
            entry["plurals"] = [f"{noun} zzz"]
        else:
            memo[noun] = [f"{noun} zzz"]
    path.write_text(json.dumps(memo), encoding="utf-8")


def template_file() -> Path:
    return one("templates/*.cache")


def template_cut_inside_its_pickle() -> None:
    path = template_file()
    data = path.read_bytes()
    magic = data.index(b"j2\x80\x02")
    path.write_bytes(data[: magic + 15 + 10])  # Jinja2's header, then half of the pickled checksum


def model_bin() -> Path:
    return one("packages/*/model/model.bin")


def grow(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\x00" * 7)


DAMAGE = {
    "memo-row-not-json": lambda: memo_rows("not json"),
    "memo-row-object": lambda: memo_rows('{"a": 1}'),
    "memo-row-spans-not-covering-the-text": memo_rows_valid_json_wrong_spans,
    "memo-file-random-bytes": lambda: one("sentences/*.sqlite").write_bytes(os.urandom(8192)),
    "index-truncated": lambda: cut(index_file(), index_file().stat().st_size // 2),
    "index-random-bytes": lambda: index_file().write_bytes(os.urandom(1 << 16)),
    "index-empty": lambda: index_file().write_bytes(b""),
    "index-wrong-lemmas": index_with_wrong_lemmas,
    "plural-memo-null": lambda: plural_memo_file().write_text("null", encoding="utf-8"),
    "plural-memo-list": lambda: plural_memo_file().write_text("[1, 2]", encoding="utf-8"),
    "plural-memo-not-json": lambda: plural_memo_file().write_text("{not json", encoding="utf-8"),
    "plural-memo-wrong-plurals": plural_memo_of_wrong_plurals,
    "template-cut-inside-its-pickle": template_cut_inside_its_pickle,
    "template-random-bytes": lambda: template_file().write_bytes(os.urandom(4096)),
    "model-bin-truncated": lambda: cut(model_bin(), model_bin().stat().st_size // 2),
    "model-bin-grown": lambda: grow(model_bin()),
    "tokenizer-missing": lambda: (model_bin().parent.parent / "sentencepiece.model").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_gives_the_same_outputs_and_is_repaired(damage, baseline, tmp_path):
    cold, snapshot = baseline
    private_wordforms()
    warm_cache(snapshot)
    DAMAGE[damage]()
    assert translate_all(tmp_path) == cold
    # and every damaged entry was written anew, sound for the next run
    assert_cache_is_sound()


def assert_cache_is_sound() -> None:
    from dolmetsch.document.sentence_memo import SentenceMemo
    from dolmetsch.glossary.wordforms import PluralMemo, index_is_sound
    from dolmetsch.models.install import unpacked_intact

    assert index_is_sound(index_file())
    assert PluralMemo(plural_memo_file().parent)._known
    memo = SentenceMemo(one("sentences/*.sqlite"))
    paragraphs = [p for p in EXAMPLE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert any(memo.get(p) for p in paragraphs)
    (package,) = (cache_root() / "dolmetsch" / "packages").iterdir()
    from dolmetsch.models.archive import check_archive
    from dolmetsch.models.install import members_record
    from dolmetsch.models.resolve import _sha256_of

    digest = _sha256_of(TINY_MODEL)
    assert unpacked_intact(package, members_record(check_archive(TINY_MODEL), archive_sha256=digest))


# --- caches that cannot be written --------------------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch):
    """Call it, and every file created under the cache fails with ENOSPC, as on a full disk; SQLite cannot write there either."""
    return lambda: fill_the_disk(monkeypatch)


def fill_the_disk(monkeypatch) -> None:
    root = str(cache_root())
    real_os_open, real_io_open, real_connect = os.open, io.open, sqlite3.connect

    def under_cache(path) -> bool:
        return isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)).startswith(root)

    def os_open(path, flags, *args, **kwargs):
        if under_cache(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_os_open(path, flags, *args, **kwargs)

    def io_open(file, mode="r", *args, **kwargs):
        if under_cache(file) and any(c in mode for c in "wax+"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_io_open(file, mode, *args, **kwargs)

    class FullConnection(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith(("INSERT", "CREATE", "UPDATE", "PRAGMA JOURNAL_MODE")):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    def connect(database, *args, **kwargs):
        if under_cache(str(database).removeprefix("file:").split("?")[0]):
            kwargs["factory"] = FullConnection
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr("builtins.open", io_open)
    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_full_disk_under_the_cache_costs_time_only(baseline, tmp_path, full_disk):
    cold, _ = baseline
    private_wordforms(empty=True)
    full_disk()
    assert translate_all(tmp_path) == cold
    left = [p.relative_to(cache_root()) for p in cache_root().rglob("*") if p.is_file() and p.suffix != ".sqlite"]
    assert left == []  # nothing half-written (SQLite itself may create its empty file)


def test_a_cache_home_that_is_a_file_costs_time_only(baseline, tmp_path, monkeypatch):
    cold, _ = baseline
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert translate_all(tmp_path) == cold


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_costs_time_only(baseline, tmp_path):
    cold, _ = baseline
    private_wordforms()
    folders = [cache_root(), *[p for p in cache_root().rglob("*") if p.is_dir()]]
    for folder in folders:
        folder.chmod(0o555)
    try:
        assert translate_all(tmp_path) == cold
    finally:
        for folder in folders:
            folder.chmod(0o755)


# --- each cache on its own ------------------------------------------------------------------------------------


def test_memo_spans_are_validated_against_the_text_even_with_a_matching_digest(tmp_path):
    from dolmetsch.document.sentence_memo import SentenceMemo, valid_spans

    text = "  Eins. Zwei.\n\nDrei.  "
    memo = SentenceMemo(tmp_path / "memo.sqlite")
    wrong_spans = (
        [(2, 3)],  # German left outside every span
        [(2, 7), (6, 13), (15, 20)],  # overlapping
        [(8, 13), (2, 7), (15, 20)],  # not in order
        [(2, 7), (15, 20)],  # a sentence missing
        [(1, 7), (8, 13), (15, 20)],  # starting on whitespace
        [(2, 8), (8, 13), (15, 20)],  # ending on whitespace
        [(2, 7), (8, 13), (15, 25)],  # past the end
        [],
    )
    for wrong in wrong_spans:
        memo.put(text, wrong)
        assert memo.get(text) is None, wrong
    right = [(2, 7), (8, 13), (15, 20)]
    memo.put(text, right)
    assert memo.get(text) == right
    for shape in (None, {"a": 1}, [[0, 1, 2]], [["2", 8]], [[2.0, 8.0]], [[True, 8]]):
        assert valid_spans(text, shape) is None


def test_a_memo_file_that_is_not_a_database_is_started_anew(tmp_path):
    from dolmetsch.document.sentence_memo import SentenceMemo

    path = tmp_path / "memo.sqlite"
    path.write_bytes(os.urandom(8192))
    memo = SentenceMemo(path)
    memo.put("Eins.", [(0, 5)])
    assert SentenceMemo(path).get("Eins.") == [(0, 5)]


def test_a_wrong_row_of_the_index_falls_back_to_simplemma(tmp_path, monkeypatch):
    from dolmetsch.glossary.wordforms import IndexedDictionary, write_index

    path = tmp_path / "de.sqlite"
    write_index(path, {b"Raketen": b"Rakete", b"Kosmonauten": b"Kosmonaut"})
    db = sqlite3.connect(path)
    db.execute("UPDATE forms SET lemma = ? WHERE form = ?", (b"Zzz", b"Raketen"))
    db.commit()
    db.close()
    dictionary = IndexedDictionary(path, fallback=lambda: {"Raketen": "Rakete"})
    assert dictionary.get("Raketen") == "Rakete"
    with pytest.raises(sqlite3.DatabaseError):
        IndexedDictionary(path).get("Raketen")


def test_an_index_damaged_in_place_is_rebuilt(tmp_path):
    from dolmetsch.glossary.wordforms import IndexedDictionary, IndexedDictionaryFactory, index_is_sound

    built = IndexedDictionaryFactory(tmp_path).get_dictionary("de")
    path = built.path
    built._db.close()
    cut(path, path.stat().st_size // 3)
    assert not index_is_sound(path)
    again = IndexedDictionaryFactory(tmp_path).get_dictionary("de")
    assert isinstance(again, IndexedDictionary) and again["Raketen"] == "Rakete"
    assert index_is_sound(path)


def test_a_plural_memo_of_the_wrong_shape_or_digest_is_asked_again(tmp_path):
    from dolmetsch.glossary.wordforms import PluralMemo

    memo = PluralMemo(tmp_path)
    assert memo.plurals("carrier") == ("carriers",)
    for content in ("null", "[1, 2]", '{"carrier": ["carrier zzz"]}', '{"carrier": {"plurals": ["carrier zzz"], "sha256": "0"}}',
                    '{"carrier": {"plurals": [1], "sha256": "0"}}', '{"carrier": "carriers"}'):
        memo.path.write_text(content, encoding="utf-8")
        assert PluralMemo(tmp_path).plurals("carrier") == ("carriers",), content
        assert json.loads(memo.path.read_text(encoding="utf-8"))["carrier"]["plurals"] == ["carriers"]


def test_a_template_cache_that_cannot_be_written_still_renders(tmp_path, monkeypatch):
    from dolmetsch.review import page as review_page

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    review_page._environment.cache_clear()

    def full(target, data):
        from dolmetsch.errors import InputError

        raise InputError(target, "cannot write (No space left on device)")

    monkeypatch.setattr(review_page, "write_bytes_atomic", full)
    try:
        template = review_page._environment().get_template(review_page.TEMPLATE)
    finally:
        review_page._environment.cache_clear()
    assert template is not None


def test_a_damaged_unpacked_package_is_unpacked_again(tmp_path):
    from dolmetsch.models.resolve import open_package_file

    first = open_package_file(TINY_MODEL)
    size = (first.model_dir / "model.bin").stat().st_size
    cut(first.model_dir / "model.bin", 1000)
    again = open_package_file(TINY_MODEL)
    assert again.path == first.path
    assert (again.model_dir / "model.bin").stat().st_size == size


def test_an_unwritable_package_cache_unpacks_for_the_run_only(tmp_path, monkeypatch):
    from dolmetsch.models.resolve import open_package_file

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    package = open_package_file(TINY_MODEL)
    assert (package.model_dir / "model.bin").is_file()
    assert not str(package.path).startswith(str(blocker))


def test_a_bad_archive_is_still_an_input_error_when_the_cache_is_unwritable(tmp_path, monkeypatch):
    from dolmetsch.errors import InputError
    from dolmetsch.models.resolve import open_package_file

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    archive = tmp_path / "broken.argosmodel"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError) as raised:
        open_package_file(archive)
    assert raised.value.where == str(archive)
