"""The review loop as reviewers live it, with the real tools: translate, review in a PO editor,
reformat with msgcat, edit the article, translate again, build the final English.
"""

from __future__ import annotations

import shutil
import subprocess

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL, msgfmt_or_skip
from dolmetsch.cli import app
from dolmetsch.engine.engine import Engine

ARTICLE = EXAMPLE.read_text(encoding="utf-8")
DINNER = "Zu Ehren des Machthabers aus Pjöngjang gab der russische Staatschef ein Dinner."
TOAST_PARAGRAPH = ARTICLE.split("\n\n")[3]  # „Einen Toast …“: deleted by the editor
TITLE = "Putin und Kim betonten Zusammenarbeit"
REVIEWED = {
    DINNER: 'Putin gave a "dinner" in honour of\tthe ruler from Pyongyang.',
    TITLE: "Putin and Kim stress cooperation",
    "Kim pries unterdessen die in der Ukraine kämpfenden russischen Truppen.": "Kim, meanwhile,\npraised the Russian troops fighting in Ukraine.",
    "Nordkorea werde immer hinter den Entscheidungen von Putin stehen.": "North Korea would always back Putin's decisions.",
    "Der russische Präsident würdigte historische Verbindungen zwischen beiden Staaten und zitierte ein russisches Sprichwort, wonach „ein alter Freund besser ist als zwei neue“.": "The Russian president praised historic ties and quoted a Russian proverb: “an old friend is better than two new ones”.",
}
NEW_PARAGRAPH = "Die Gespräche dauerten mehrere Stunden."


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def decoded(monkeypatch):
    """The sentences each run sends to the model (first decoding pass)."""
    sent: list[list[str]] = []
    translate = Engine.translate

    def counting(self, sentences, **options):
        if not options.get("target_prefixes") and not options.get("suppress"):
            sent.append(list(sentences))
        return translate(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", counting)
    return sent


def review(po_path) -> None:
    """A reviewer in Poedit: fixes five entries, confirms them, comments, flags, saves."""
    catalog = polib.pofile(str(po_path))
    for msgid, msgstr in REVIEWED.items():
        entry = catalog.find(msgid)
        entry.msgstr = msgstr
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.tcomment = "checked by the desk"
    catalog.metadata["Last-Translator"] = "Desk Editor <desk@example.org>"
    catalog.metadata["X-Generator"] = "Poedit 3.4.2"
    catalog.metadata["PO-Revision-Date"] = "2026-12-01 09:00+0100"
    catalog.save()


def edit_article(source) -> None:
    """The editor changes a word, deletes a paragraph, adds one, and repeats the title sentence earlier."""
    text = ARTICLE.replace("ein Dinner.", "ein festliches Dinner.").replace(TOAST_PARAGRAPH + "\n\n", "")
    heading = "\n\nTreffen von Kim und Putin\n\n"
    assert text.count(heading) == 1
    text = text.replace(heading, f"\n\n{NEW_PARAGRAPH}\n\n{TITLE}{heading}")
    source.write_text(text, encoding="utf-8")


def test_reviewers_work_survives_the_whole_loop(tmp_path, monkeypatch, decoded):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "putin-kim.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    args = ["translate", source, "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-q"]
    run(*args)
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    first = polib.pofile(str(po))
    assert len(decoded) == 1 and len(decoded[0]) == len(first)

    review(po)
    msgcat = shutil.which("msgcat") or pytest.skip("GNU gettext is not installed")
    subprocess.run([msgcat, "--width=40", "--sort-output", "-o", str(po), str(po)], check=True)
    flagged = polib.pofile(str(po), wrapwidth=40)  # Weblate adds a flag GNU gettext does not know
    flagged.find(TITLE).flags.append("max-length:40")
    flagged.save()

    # an unchanged re-run decodes nothing and leaves the reviewer's file byte for byte
    before = po.read_bytes()
    run(*args)
    assert len(decoded) == 1
    assert po.read_bytes() == before

    edit_article(source)
    run(*args)
    new_or_changed = {NEW_PARAGRAPH, DINNER.replace("ein Dinner.", "ein festliches Dinner.")}
    assert set(decoded[1]) == new_or_changed  # the repeated title is known: it is reviewed

    merged = polib.pofile(str(po))
    live = [e for e in merged if not e.obsolete]
    for msgid, msgstr in REVIEWED.items():
        if msgid == DINNER or msgid not in source.read_text(encoding="utf-8"):
            continue
        for entry in (e for e in live if e.msgid == msgid):  # every occurrence, the inserted copy too
            assert entry.msgstr == msgstr and not entry.fuzzy and entry.tcomment == "checked by the desk"
    title = [e for e in live if e.msgid == TITLE]
    assert len(title) == 2 and "max-length:40" in title[0].flags

    changed = merged.find(DINNER.replace("ein Dinner.", "ein festliches Dinner."))
    assert changed.fuzzy and changed.msgstr == REVIEWED[DINNER]
    assert changed.previous_msgid == DINNER  # #| msgid, as msgmerge --previous offers it
    assert "machine draft: " in changed.comment
    assert merged.find(DINNER) is None or merged.find(DINNER).obsolete is False  # consumed, not duplicated

    deleted = [e for e in merged.obsolete_entries() if e.msgid in REVIEWED]
    assert [e.msgid for e in deleted] == [m for m in REVIEWED if m in TOAST_PARAGRAPH]
    assert all(e.msgstr == REVIEWED[e.msgid] for e in deleted)
    assert merged.metadata["Last-Translator"] == "Desk Editor <desk@example.org>"
    assert merged.metadata["X-Generator"] == "Poedit 3.4.2"

    # every PO reader sees the same entries
    subprocess.run([msgfmt_or_skip(), "-c", "-o", "/dev/null", str(po)], check=True)
    from babel.messages.pofile import read_po
    from translate.storage.po import pofile as toolkit_pofile

    with po.open("rb") as handle:
        babel_ids = {m.id for m in read_po(handle) if m.id}
    toolkit_ids = {u.source for u in toolkit_pofile.parsefile(str(po)).units if u.source and not u.isobsolete()}
    assert babel_ids == toolkit_ids == {e.msgid for e in live}

    # build: the reviewed view
    run("build", source, "-q")
    english = (tmp_path / "out" / "putin-kim.en.txt").read_text(encoding="utf-8")
    for msgid, msgstr in REVIEWED.items():
        if msgid in source.read_text(encoding="utf-8") and msgid != DINNER:
            assert msgstr.replace("\n", " ") in english or msgstr in english
    assert REVIEWED[DINNER] in english  # the fuzzy offer is used (and counted) without --strict
    bitext = (tmp_path / "out" / "putin-kim.de-en.tsv").read_text(encoding="utf-8")
    assert "\treviewed" in bitext and "\tdraft" in bitext and "\tmachine" not in bitext


def test_build_writes_a_tmx_that_translate_toolkit_reads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "putin-kim.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-q")
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    review(po)
    run("build", source, "-q")
    from translate.storage.tmx import tmxfile

    tmx = tmp_path / "out" / "putin-kim.de-en.tmx"
    with tmx.open("rb") as handle:
        units = tmxfile(handle, sourcelanguage="de", targetlanguage="en").units
    assert {(u.source, u.target) for u in units} == set(REVIEWED.items())
    text = tmx.read_text(encoding="utf-8")
    assert '<tmx version="1.4">' in text and 'srclang="de"' in text and 'xml:lang="en"' in text

    run("build", source, "-q", "--all")
    with tmx.open("rb") as handle:
        assert len(tmxfile(handle, sourcelanguage="de", targetlanguage="en").units) > len(REVIEWED)


def test_strict_build_refuses_drafts_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q", "-o", tmp_path / "machine")
    result = CliRunner().invoke(app, ["build", str(source), "--strict"])
    assert result.exit_code == 1 and "2 entries are still fuzzy" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_without_a_po_or_with_a_new_sentence_says_to_translate_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    missing = CliRunner().invoke(app, ["build", str(source)])
    assert missing.exit_code == 2 and "run `dolmetsch translate` first" in missing.stderr
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q")
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    new = CliRunner().invoke(app, ["build", str(source)])
    assert new.exit_code == 2 and "1 sentence(s)" in new.stderr and "line 3" in new.stderr


def test_an_unchanged_rerun_loads_no_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q")

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded although nothing needed it")

    monkeypatch.setattr(Engine, "load", refuse)
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q")
    with pytest.raises(AssertionError):
        CliRunner().invoke(app, ["translate", str(source), "--model", str(TINY_MODEL), "--no-glossary", "--retranslate"], catch_exceptions=False)


def test_the_template_sits_beside_the_language_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q")
    pot = tmp_path / "locales" / "a.pot"
    template = polib.pofile(str(pot))
    assert [(e.msgid, e.msgstr) for e in template] == [("Kim besuchte Russland.", ""), ("Putin traf Kim.", "")]
    assert "Language" not in template.metadata or template.metadata["Language"] == ""
    before = pot.read_bytes()
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q")
    assert pot.read_bytes() == before
    msgmerge = shutil.which("msgmerge") or pytest.skip("GNU gettext is not installed")
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "a.po"
    assert subprocess.run([msgmerge, "--quiet", "-o", "/dev/null", str(po), str(pot)]).returncode == 0


def test_a_rewritten_catalogue_is_laid_out_as_gnu_gettext_writes_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "putin-kim.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-q")
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    review(po)  # polib's layout
    source.write_text(ARTICLE.replace("ein Dinner.", "ein festliches Dinner."), encoding="utf-8")
    run("translate", source, "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-q")
    msgcat = shutil.which("msgcat") or pytest.skip("GNU gettext is not installed")
    assert subprocess.run([msgcat, str(po)], capture_output=True, check=True).stdout == po.read_bytes()


def test_translate_and_build_end_with_the_check_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    translated = CliRunner().invoke(app, ["translate", str(source), "--model", str(TINY_MODEL), "--no-glossary"])
    assert translated.exit_code == 0
    line = next(l for l in translated.stderr.splitlines() if l.startswith("checks: "))
    assert line.endswith("2 entries: 0 reviewed, 2 fuzzy, 0 empty")
    built = CliRunner().invoke(app, ["build", str(source)])
    assert built.exit_code == 0 and line in built.stderr.splitlines()
