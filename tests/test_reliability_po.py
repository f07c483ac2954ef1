"""The PO catalogue and the files read beside it are input like any other: bounded, checked, never trusted.

A PO, POT, TMX or bitext is read only when it is a regular file and within its size limit, and a
single entry within its own; a catalogue that would be misread (a duplicate entry, a charset the
header gets wrong) is refused in one line before anything is written. The translation memory is
a help: a sibling catalogue it cannot read is left out with a warning. Hangs are caught with a
bounded wait that only runs out when the code hangs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import ROOT, TINY_MODEL, msgfmt_or_skip
from dolmetsch.cache import user_cache_dir
from dolmetsch.cli import app
from dolmetsch.engine.engine import Engine

BIN = Path(sys.executable).parent
HANG = 120
"""Seconds a command may take before it counts as hung (a normal run takes a few)."""
ARTICLE = "Kim besuchte Russland.\n\nPutin traf Kim.\n\nKim reiste zurück.\n"
SENTENCES = ["Kim besuchte Russland.", "Putin traf Kim.", "Kim reiste zurück."]


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def command(*args, cwd: Path):
    """The installed console script in a child process, so that a hang is caught by the timeout."""
    env = {**os.environ, "HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / ".cache")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "translate"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", "from dolmetsch.cli import main; main()", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=HANG, env=env,
    )


def translate_args(source: Path, root: Path, *extra):
    return ["translate", source, "--model", TINY_MODEL, "-o", root / "out", "--locales", root / "locales", "--no-glossary", "--beam", "1", "-q", *extra]


def po_of(root: Path, stem: str = "a") -> Path:
    return root / "locales" / "en" / "LC_MESSAGES" / f"{stem}.po"


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return source


@pytest.fixture
def translated_once(tmp_path, article) -> Path:
    """The article translated once; returns its PO."""
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    return po_of(tmp_path)


@pytest.fixture
def decoded(monkeypatch) -> list[str]:
    """Every sentence sent to the model."""
    sent: list[str] = []
    translate = Engine.translate

    def counting(self, sentences, **options):
        sent.extend(sentences)
        return translate(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", counting)
    return sent


def confirm(po: Path, edits: dict[str, str]) -> None:
    catalog = polib.pofile(str(po))
    for msgid, msgstr in edits.items():
        entry = catalog.find(msgid)
        entry.msgstr = msgstr
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save()


def assert_refused(result, po: Path, before: bytes, *fragments: str) -> str:
    """Exit 2, one line naming the PO and the problem, the PO as it was and no output written."""
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert str(po) in line and all(fragment in line for fragment in fragments), line
    assert po.read_bytes() == before
    return line


# --- bounded reads ------------------------------------------------------------------------------


def test_a_po_that_is_a_fifo_is_refused_at_once_and_nothing_is_written(tmp_path, article):
    po = po_of(tmp_path)
    po.parent.mkdir(parents=True)
    os.mkfifo(po)
    done = command(*translate_args(article, tmp_path), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert f"{po}: is a named pipe (FIFO), not a regular file" in line
    assert not (tmp_path / "out").exists()


def test_a_po_linked_to_a_device_is_refused(tmp_path, article):
    po = po_of(tmp_path)
    po.parent.mkdir(parents=True)
    po.symlink_to("/dev/zero")
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code == 2
    assert "is a character device, not a regular file" in one_line(result.stderr)
    assert not (tmp_path / "out").exists()


def test_a_po_over_the_size_limit_is_refused(tmp_path, article, translated_once, monkeypatch):
    import dolmetsch.formats.po as po_format

    monkeypatch.setattr(po_format, "MAX_CATALOGUE_BYTES", 1000)
    for stamp in Path(user_cache_dir("stamps")).rglob("*.json"):
        stamp.unlink()  # the next run reads the catalogue, not only the stamp
    assert translated_once.stat().st_size > 1000
    before = translated_once.read_bytes()
    assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "larger than 1,000 bytes")


def test_an_entry_over_the_entry_limit_is_refused_naming_its_line(tmp_path, article, translated_once):
    from dolmetsch.formats.po import MAX_ENTRY_CHARS

    catalog = polib.pofile(str(translated_once))
    entry = catalog.find("Putin traf Kim.")
    entry.msgstr = "x" * (MAX_ENTRY_CHARS + 1)
    catalog.save()
    line_of_entry = polib.pofile(str(translated_once)).find("Putin traf Kim.").linenum
    before = translated_once.read_bytes()
    line = assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "msgstr of 65,537 characters")
    assert f"{translated_once}:{line_of_entry}:" in line
    checked = run("check", translated_once)
    assert checked.exit_code == 2 and "msgstr of 65,537 characters" in one_line(checked.stderr)


class RecordingPattern:
    """The PO line pattern, noting the longest line it was given."""

    def __init__(self, pattern):
        self.pattern, self.longest = pattern, 0

    def match(self, line: str):
        self.longest = max(self.longest, len(line))
        return self.pattern.match(line)


def test_a_giant_line_is_refused_before_it_is_parsed(tmp_path, article, translated_once, monkeypatch):
    import dolmetsch.formats.po as po_format

    recording = RecordingPattern(po_format._PO_LINE)
    monkeypatch.setattr(po_format, "_PO_LINE", recording)
    text = translated_once.read_text(encoding="utf-8")
    translated_once.write_text(text + '\nmsgid "Riesig"\nmsgstr "' + "x" * po_format.MAX_LINE_CHARS + '"\n', encoding="utf-8")
    before = translated_once.read_bytes()
    line = assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "a line of")
    assert f"{translated_once}:{len(text.splitlines()) + 3}:" in line
    assert recording.longest < 1000  # the giant line never reached the pattern


def test_a_source_sentence_over_the_entry_limit_is_refused_so_every_po_written_can_be_read_again(tmp_path):
    from dolmetsch.formats.po import MAX_ENTRY_CHARS

    source = tmp_path / "dump.txt"
    source.write_text("Kurz.\n\n" + "Wort " * (MAX_ENTRY_CHARS // 5 + 10) + "Ende.\n", encoding="utf-8")
    result = run(*translate_args(source, tmp_path))
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert f"{source}:3:" in line and "not prose" in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


def test_check_refuses_a_fifo_po_or_bitext_without_hanging(tmp_path):
    for name in ("a.po", "a.de-en.tsv"):
        fifo = tmp_path / name
        os.mkfifo(fifo)
        done = command("check", fifo, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert f"{fifo}: is a named pipe (FIFO), not a regular file" in one_line(done.stderr)


def test_a_tmx_that_is_a_fifo_is_refused_without_hanging(tmp_path, article):
    tmx = tmp_path / "memory.tmx"
    os.mkfifo(tmx)
    done = command(*translate_args(article, tmp_path, "--tm", tmx), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{tmx}: is a named pipe (FIFO), not a regular file" in one_line(done.stderr)
    assert not (tmp_path / "out").exists()


# --- the translation memory -----------------------------------------------------------------------


def test_a_broken_sibling_po_is_left_out_of_the_memory_with_one_warning(tmp_path, article):
    sibling = po_of(tmp_path, "other")
    sibling.parent.mkdir(parents=True)
    sibling.write_text('msgid "Kim besuchte Russland."\nmsgstr "Kim visited Russia." garbage\n', encoding="utf-8")
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code == 0, result.output
    line = one_line(result.stderr)
    assert line.startswith(f"dolmetsch: warning: {sibling}:2: ") and "left out of the translation memory" in line
    assert po_of(tmp_path).exists()


def test_a_fifo_sibling_po_is_left_out_without_hanging(tmp_path, article):
    sibling = po_of(tmp_path, "other")
    sibling.parent.mkdir(parents=True)
    os.mkfifo(sibling)
    done = command(*translate_args(article, tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{sibling}: is a named pipe (FIFO)" in one_line(done.stderr)
    assert po_of(tmp_path).exists()


def test_a_batch_goes_on_past_a_broken_sibling(tmp_path):
    sources = []
    for stem in ("a", "b"):
        source = tmp_path / f"{stem}.txt"
        source.write_text(ARTICLE, encoding="utf-8")
        sources.append(source)
    sibling = po_of(tmp_path, "old")
    sibling.parent.mkdir(parents=True)
    sibling.write_bytes(b'msgid "x"\n')
    result = run("translate", *sources, "--model", TINY_MODEL, "-o", tmp_path / "out", "--locales", tmp_path / "locales", "--no-glossary", "-q")
    assert result.exit_code == 0, result.output
    assert "left out of the translation memory" in one_line(result.stderr)
    assert po_of(tmp_path, "a").exists() and po_of(tmp_path, "b").exists()


def test_the_documents_own_broken_po_stays_an_error(tmp_path, article, translated_once):
    translated_once.write_text('msgid "Kim besuchte Russland."\n', encoding="utf-8")
    before = translated_once.read_bytes()
    assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "msgid without msgstr")


def test_retranslate_sends_every_sentence_to_the_model(tmp_path, article, translated_once, decoded):
    confirm(translated_once, {"Kim besuchte Russland.": "Kim visited Russia (reviewed)."})
    decoded.clear()
    assert run(*translate_args(article, tmp_path, "--retranslate")).exit_code == 0
    assert sorted(decoded) == sorted(SENTENCES)
    rows = (tmp_path / "out" / "a.de-en.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert all(row.split("\t")[-1].split(",")[0] == "machine" for row in rows), rows
    entry = polib.pofile(str(translated_once)).find("Kim besuchte Russland.")
    assert entry.msgstr == "Kim visited Russia (reviewed)." and not entry.fuzzy  # reviewed translations are kept


def test_each_document_of_a_batch_takes_no_memory_from_its_own_po(tmp_path):
    from dolmetsch.api import remember
    from dolmetsch.document.reading import parse_text
    from dolmetsch.memory import Remembered, SentenceMemory
    from dolmetsch.translation import DocumentJob

    a_po, b_po = po_of(tmp_path, "a"), po_of(tmp_path, "b")
    memory = SentenceMemory()
    memory.add(Remembered("Kim besuchte Russland.", "from a", f"{a_po}:7", os.path.realpath(a_po)))
    memory.add(Remembered("Putin traf Kim.", "from b", f"{b_po}:7", os.path.realpath(b_po)))
    memory.add(Remembered("Putin traf Kim.", "from c", "c.po:9", os.path.realpath(po_of(tmp_path, "c"))))
    documents = [parse_text(ARTICLE, name="a", source="a.txt"), parse_text(ARTICLE, name="b", source="b.txt")]
    jobs = remember([DocumentJob(document) for document in documents], memory, own=[a_po, b_po])
    by_text = [
        {segment.text: job.known[segment.key].english for segment in job.document.segments() if segment.key in job.known}
        for job in jobs
    ]
    assert by_text[0] == {"Putin traf Kim.": "from b"}
    assert by_text[1] == {"Kim besuchte Russland.": "from a", "Putin traf Kim.": "from c"}


# --- what a catalogue may hold --------------------------------------------------------------------


def test_a_duplicate_entry_is_refused_naming_both_lines(tmp_path, article, translated_once):
    text = translated_once.read_text(encoding="utf-8")
    translated_once.write_text(text + '\n# checked by the desk\nmsgid "Putin traf Kim."\nmsgstr "Putin met Kim, reviewed."\n', encoding="utf-8")
    entries = [e for e in polib.pofile(str(translated_once)) if e.msgid == "Putin traf Kim."]
    first, second = (e.linenum for e in entries)
    before = translated_once.read_bytes()
    line = assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "duplicate entry for 'Putin traf Kim.'")
    assert f"{translated_once}:{second}:" in line and f"first at line {first}" in line
    checked = run("check", translated_once)
    assert checked.exit_code == 2 and f"first at line {first}" in one_line(checked.stderr)
    built = run("build", article, "-o", tmp_path / "built", "--locales", tmp_path / "locales", "--no-glossary")
    assert built.exit_code == 2 and not (tmp_path / "built").exists()


def test_a_header_charset_that_lies_is_refused_and_nothing_is_rewritten(tmp_path, article, translated_once):
    confirm(translated_once, {"Kim reiste zurück.": "Kim kehrte zurück – reviewed"})
    text = translated_once.read_text(encoding="utf-8").replace("charset=UTF-8", "charset=CP1252")
    translated_once.write_text(text, encoding="utf-8")  # the body stays UTF-8: „ü“ is two bytes
    before = translated_once.read_bytes()
    line = assert_refused(run(*translate_args(article, tmp_path)), translated_once, before, "charset=CP1252", "UTF-8")
    header_line = text.splitlines().index(next(l for l in text.splitlines() if "charset=CP1252" in l)) + 1
    assert f"{translated_once}:{header_line}:" in line
    checked = run("check", translated_once)
    assert checked.exit_code == 2 and "charset=CP1252" in one_line(checked.stderr)


def test_a_hand_added_plural_entry_survives_a_rerun_and_build(tmp_path, article, translated_once):
    plural = '\n# added by the desk\nmsgid "ein Tag"\nmsgid_plural "%d Tage"\nmsgstr[0] "one day"\nmsgstr[1] "%d days"\n'
    translated_once.write_text(translated_once.read_text(encoding="utf-8") + plural, encoding="utf-8")
    for _ in range(2):
        assert run(*translate_args(article, tmp_path)).exit_code == 0
        kept = [e for e in polib.pofile(str(translated_once)) if e.msgid == "ein Tag"]
        assert len(kept) == 1
        assert kept[0].msgid_plural == "%d Tage" and kept[0].msgstr_plural == {0: "one day", 1: "%d days"}
        assert kept[0].tcomment == "added by the desk"
    assert run("build", article, "-o", tmp_path / "out", "--locales", tmp_path / "locales", "--no-glossary").exit_code == 0
    assert [e.msgid for e in polib.pofile(str(translated_once)) if e.msgid == "ein Tag"] == ["ein Tag"]
    subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(translated_once)], check=True)


def test_a_plural_entry_is_never_offered_to_a_changed_sentence(tmp_path):
    from dolmetsch.formats.po_merge import merge_catalogs

    existing = polib.POFile()
    existing.append(polib.POEntry(msgid="Kim reiste zurück", msgid_plural="Kims reisten zurück", msgstr_plural={0: "one", 1: "many"}))
    fresh = polib.POFile()
    fresh.metadata = {"POT-Creation-Date": "2001-02-03 04:05+0000"}
    fresh.append(polib.POEntry(msgid="Kim reiste zurück.", msgstr="Kim went back.", flags=["fuzzy"]))
    merged = merge_catalogs(fresh, existing)
    assert merged.find("Kim reiste zurück.").msgstr == "Kim went back."
    [kept] = merged.obsolete_entries()
    assert kept.msgstr_plural == {0: "one", 1: "many"}


def test_a_string_holding_a_line_separator_is_read(tmp_path, article, translated_once):
    confirm(translated_once, {"Putin traf Kim.": "Putin met\u2028Kim."})
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    assert polib.pofile(str(translated_once)).find("Putin traf Kim.").msgstr == "Putin met\u2028Kim."


# --- promises that had no test that could fail ----------------------------------------------------


def test_the_merge_carries_a_translator_comment_on_a_fuzzy_entry(tmp_path):
    from test_formats import RERUN_EN, catalog_of, translated

    first = catalog_of(translated())
    draft = first.find("Kim besuchte Russland.")
    assert draft.fuzzy
    draft.tcomment = "ask the desk about the date"
    po = tmp_path / "a.po"
    po.write_text(str(first), encoding="utf-8")
    merged = catalog_of(translated(english=RERUN_EN), po)
    entry = merged.find("Kim besuchte Russland.")
    assert entry.fuzzy and entry.msgstr == RERUN_EN["Kim besuchte Russland."]  # an untouched draft is refreshed …
    assert entry.tcomment == "ask the desk about the date"  # … and keeps the reviewer's note


def test_obsolete_entries_are_skipped_when_po_segments_are_read_back(tmp_path, article, translated_once):
    from dolmetsch.formats.po import read_po_segments
    from dolmetsch.output import read_segments

    text = translated_once.read_text(encoding="utf-8")
    obsolete = '\n#~ msgid "Kim floh."\n#~ msgstr "Kim fled."\n\n#~ msgid "Kim besuchte Russland."\n#~ msgstr "An old translation."\n'
    translated_once.write_text(text + obsolete, encoding="utf-8")
    assert [s.de for s in read_segments(translated_once)] == SENTENCES
    assert [s.de for s in read_po_segments(translated_once)] == SENTENCES
    assert run("build", article, "-o", tmp_path / "out", "--locales", tmp_path / "locales", "--no-glossary").exit_code == 0
    english = (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8")
    assert "Kim fled" not in english and "An old translation" not in english
