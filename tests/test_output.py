"""Writing a run's outputs: each catalogue parsed once per run, and GNU gettext's layout computed in
process, byte for byte what `msgcat` writes (the promise of `formats/gettext_layout.py`)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import polib
import pytest

from conftest import EXAMPLE, ROOT
from dolmetsch.formats import gettext_layout
from dolmetsch.formats.po import gettext_layout as msgcat_layout
from dolmetsch.formats.po import po_text
from dolmetsch.cache import user_cache_dir


def translate(tmp_path, package, sources):
    from dolmetsch.api import translate_files
    from dolmetsch.engine.engine import DecodingOptions
    from dolmetsch.options import RunOptions

    options = RunOptions(glossary=(ROOT / "glossary",), model=package, threads=1, decoding=DecodingOptions(beam_size=2))
    return translate_files([str(s) for s in sources], out_dir=tmp_path / "out", locales_dir=tmp_path / "locales", options=options)


@pytest.fixture
def parses(monkeypatch):
    """Every text polib parses, counted."""
    seen = []
    real = polib.pofile

    def counted(text, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(polib, "pofile", counted)
    return seen


def test_each_catalogue_is_parsed_once_per_run(tmp_path, tiny_package_dir, parses):
    source = tmp_path / "putin-kim.txt"
    shutil.copy(EXAMPLE, source)
    translate(tmp_path, tiny_package_dir, [source])
    assert parses == []  # no catalogue yet, and the review page scans the new PO's line numbers from its text
    parses.clear()
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    before = po.read_bytes()
    for stamp in Path(user_cache_dir("stamps")).rglob("*.json"):
        stamp.unlink()  # else the run finds the document up to date and parses nothing at all
    translate(tmp_path, tiny_package_dir, [source])  # unchanged: preflight, known, memory, merge, page share one parse
    assert len(parses) == 2  # the PO and the POT, once each
    assert po.read_bytes() == before


def test_a_catalogue_changed_during_the_run_is_parsed_again(tmp_path):
    from dolmetsch.formats.po import Catalogues

    po = tmp_path / "a.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Kim."\nmsgstr "Kim."\n', encoding="utf-8")
    catalogues = Catalogues()
    first = catalogues.read(po)
    assert catalogues.read(po) is first
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Kim."', 'msgstr "Kim (reviewed)."'), encoding="utf-8")
    assert catalogues.read(po).find("Kim.").msgstr == "Kim (reviewed)."


needs_emulated_msgcat = pytest.mark.skipif(
    gettext_layout._linebreaker() is None, reason="no msgcat of an emulated gettext release, or no libunistring"
)


def compared_with_msgcat(catalog: polib.POFile) -> bool:
    """Whether the in-process layout was compared with msgcat's (AssertionError when they differ):
    not when it leaves the text to msgcat, nor when the text is one polib cannot read back."""
    text = str(catalog) + "\n"
    laid_out = gettext_layout.layout(text)
    try:
        expected = msgcat_layout(text)
    except OSError:  # polib's own reader refuses the text (a lone surrogate of a line break, say)
        return False
    if laid_out is None:
        return False
    assert laid_out == expected, text
    return True


@needs_emulated_msgcat
def test_the_layout_of_the_bundled_articles_catalogues_is_msgcats(tmp_path, tiny_package_dir):
    source = tmp_path / "putin-kim.txt"
    shutil.copy(EXAMPLE, source)
    translate(tmp_path, tiny_package_dir, [source])
    for path in (tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po", tmp_path / "locales" / "putin-kim.pot"):
        text = str(polib.pofile(str(path), wrapwidth=79)) + "\n"
        assert gettext_layout.layout(text) is not None
        assert gettext_layout.layout(text) == msgcat_layout(text)


@needs_emulated_msgcat
def test_the_layout_of_a_reviewed_and_merged_catalogue_is_msgcats(tmp_path, tiny_package_dir):
    """Reviewer edits, translator comments, a changed sentence with `#|`, an obsolete entry."""
    source = tmp_path / "putin-kim.txt"
    shutil.copy(EXAMPLE, source)
    translate(tmp_path, tiny_package_dir, [source])
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po), wrapwidth=79)
    for number, entry in enumerate(catalog):
        if number % 3 == 0:
            entry.msgstr, entry.flags = f"A reviewed sentence, „quoted“ and long enough to wrap: {entry.msgid}", []
            entry.tcomment = "checked with the desk\n  indented note"
    catalog.save(str(po))
    gone, changed = catalog[3].msgid, catalog[6].msgid  # both reviewed: one leaves the article, one is edited
    text = source.read_text(encoding="utf-8").replace(gone, "", 1).replace(changed, changed.rstrip(".") + " heute.", 1)
    source.write_text(text, encoding="utf-8")
    translate(tmp_path, tiny_package_dir, [source])
    merged = polib.pofile(str(po), wrapwidth=79)
    assert any(e.obsolete for e in merged) and any(e.previous_msgid for e in merged)
    text = str(merged) + "\n"
    assert gettext_layout.layout(text) == msgcat_layout(text)
    assert po_text(merged) == po.read_text(encoding="utf-8")


PIECES = list("abcdefghij ABCDE    äöüßÄÖÜ.,;:!?-–—/\\\"'()[]{}„“”‚‘’«»…%&$§0123456789\t\n\r") + [
    "中文", "😀", "\u00ad", "\u200b", "\u00a0", "e\u0301", "https://example.com/a-b/c?d=e", "Bundesverfassungsgerichtsentscheidung",
]


@needs_emulated_msgcat
@pytest.mark.parametrize("seed", range(4))
def test_the_layout_of_generated_catalogues_is_msgcats(seed):
    """Strings with every kind of break opportunity, escapes, wide and zero-width characters, long
    comments and references, previous strings and obsolete entries, in all places they can stand."""
    rnd = random.Random(seed)

    def text(n):
        return "".join(rnd.choice(PIECES) for _ in range(n))

    def words(n):
        return " ".join(text(rnd.randint(1, 14)).replace("\n", " ").replace("\r", " ") for _ in range(n))

    compared = 0
    for _ in range(40):
        catalog = polib.POFile(wrapwidth=79)
        catalog.metadata = {"Project-Id-Version": words(rnd.randint(1, 12)), "Content-Type": "text/plain; charset=UTF-8"}
        if rnd.random() < 0.3:
            catalog.header = words(3) + "\n\n" + words(2)
        for i in range(rnd.randint(1, 6)):
            entry = polib.POEntry(
                msgid=text(rnd.randint(0, 200)) or f"x{i}", msgstr=text(rnd.randint(1, 200)),
                msgctxt=rnd.choice([None, None, f"occurrence {i + 2}", text(30)]),
                occurrences=[(rnd.choice(["a.txt", "\u2068Bericht über Kim.txt\u2069", "x" * rnd.randint(1, 90)]), str(rnd.randint(1, 9999)))],
                comment="\n".join(words(rnd.randint(0, 25)) for _ in range(rnd.randint(0, 3))),
                tcomment="\n".join(words(rnd.randint(0, 25)) for _ in range(rnd.randint(0, 2))),
                flags=["fuzzy"] if rnd.random() < 0.5 else [],
            )
            if rnd.random() < 0.2:
                entry.previous_msgid = text(rnd.randint(1, 150))
            entry.obsolete = rnd.random() < 0.15
            catalog.append(entry)
        compared += compared_with_msgcat(catalog)
    assert compared >= 20


def test_a_written_documents_catalogues_are_released(tmp_path, parses):
    """A batch holds one document's parsed catalogue at a time: once written, it is forgotten, so
    memory does not grow with the number of documents (the next read parses again)."""
    from dolmetsch.formats.po import Catalogues

    po = tmp_path / "a.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Hallo"\nmsgstr "Hello"\n', encoding="utf-8")
    catalogues = Catalogues()
    _, text = catalogues.load(po)
    catalogues.load(po)
    catalogues.note_settled("a.txt", text, True)
    assert len(parses) == 1 and catalogues.settled("a.txt", text)
    catalogues.release("a.txt", [po])
    assert not catalogues.settled("a.txt", text)
    catalogues.load(po)
    assert len(parses) == 2


def test_a_batch_releases_each_document_once_it_is_written(tmp_path, tiny_package_dir, monkeypatch):
    from dolmetsch.formats.po import Catalogues

    released = []
    real = Catalogues.release
    monkeypatch.setattr(Catalogues, "release", lambda self, source, paths: (released.append(Path(source).name), real(self, source, paths)))
    sources = []
    for name in ("a.txt", "b.txt"):
        sources.append(tmp_path / name)
        shutil.copy(EXAMPLE, sources[-1])
    translate(tmp_path, tiny_package_dir, sources)
    assert sorted(released) == ["a.txt", "b.txt"]
