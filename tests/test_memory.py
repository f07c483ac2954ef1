"""The translation memory across documents: reviewed sentences of other POs and of TMX files."""

from __future__ import annotations

import polib
import pytest
from typer.testing import CliRunner

from conftest import TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.engine.engine import Engine
from dolmetsch.memory import NEAR_MATCH, load_memory

FIRST = ["Kim besuchte Russland.", "Putin traf Kim in Wladiwostok.", "Die Gespräche dauerten mehrere Stunden.",
         "Kim reiste mit dem Zug.", "Putin lobte die Zusammenarbeit.", "Die Delegation kehrte zurück.",
         "Das Treffen fand im Osten statt.", "Kim dankte Putin.", "Beide Seiten unterzeichneten nichts.",
         "Die Presse war nicht zugelassen."]


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


@pytest.fixture
def decoded(monkeypatch):
    sent: list[str] = []
    translate = Engine.translate

    def counting(self, sentences, **options):
        sent.extend(sentences)
        return translate(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", counting)
    return sent


def reviewed_first(tmp_path) -> None:
    """Translate the first article and confirm every entry as a reviewer would."""
    source = tmp_path / "first.txt"
    source.write_text("\n\n".join(FIRST) + "\n", encoding="utf-8")
    assert run("translate", source, "--model", TINY_MODEL, "--no-glossary", "-q").exit_code == 0
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "first.po"
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgstr = f"REVIEWED {entry.msgid}"
        entry.flags = []
    catalog.save()


def test_a_second_batch_is_prefilled_with_exactly_the_sentences_it_repeats(tmp_path, monkeypatch, decoded):
    monkeypatch.chdir(tmp_path)
    reviewed_first(tmp_path)
    repeated, new = FIRST[:3], ["Neue Sätze kamen hinzu.", "Der Winter begann früh.", "Niemand wusste davon.",
                                "Ein Zug fuhr ab.", "Die Nacht war kalt.", "Morgen geht es weiter.", "Sonst nichts."]
    second = tmp_path / "second.txt"
    second.write_text("\n\n".join(repeated + new) + "\n", encoding="utf-8")
    decoded.clear()
    assert run("translate", second, "--model", TINY_MODEL, "--no-glossary", "-q").exit_code == 0
    assert sorted(decoded) == sorted(new)  # 30 % came from the memory, with no model call
    catalog = polib.pofile(str(tmp_path / "locales" / "en" / "LC_MESSAGES" / "second.po"))
    for msgid in repeated:
        entry = catalog.find(msgid)
        assert entry.msgstr == f"REVIEWED {msgid}" and entry.fuzzy
        assert "memory: " in entry.comment and "first.po:" in entry.comment
    assert all(not catalog.find(m).msgstr.startswith("REVIEWED") for m in new)


def test_trusted_memory_matches_arrive_reviewed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reviewed_first(tmp_path)
    second = tmp_path / "second.txt"
    second.write_text(FIRST[0] + "\n", encoding="utf-8")
    assert run("translate", second, "--model", TINY_MODEL, "--no-glossary", "-q", "--trust-memory").exit_code == 0
    entry = polib.pofile(str(tmp_path / "locales" / "en" / "LC_MESSAGES" / "second.po")).find(FIRST[0])
    assert entry.msgstr == f"REVIEWED {FIRST[0]}" and not entry.fuzzy


def test_a_similar_sentence_gets_a_suggestion_and_is_still_decoded(tmp_path, monkeypatch, decoded):
    monkeypatch.chdir(tmp_path)
    reviewed_first(tmp_path)
    similar = "Putin traf Kim in Wladiwostok erneut."
    second = tmp_path / "second.txt"
    second.write_text(similar + "\n", encoding="utf-8")
    decoded.clear()
    assert run("translate", second, "--model", TINY_MODEL, "--no-glossary", "-q").exit_code == 0
    assert decoded == [similar]
    entry = polib.pofile(str(tmp_path / "locales" / "en" / "LC_MESSAGES" / "second.po")).find(similar)
    assert "memory suggestion (" in entry.comment and "REVIEWED Putin traf Kim in Wladiwostok." in entry.comment


def test_a_tmx_from_build_feeds_another_project(tmp_path, monkeypatch, decoded):
    monkeypatch.chdir(tmp_path)
    reviewed_first(tmp_path)
    assert run("build", tmp_path / "first.txt", "-q").exit_code == 0
    tmx = tmp_path / "out" / "first.de-en.tmx"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    article = elsewhere / "third.txt"
    article.write_text(FIRST[4] + "\n\nGanz neu.\n", encoding="utf-8")
    decoded.clear()
    assert run("translate", article, "--model", TINY_MODEL, "--no-glossary", "-q", "--tm", tmx).exit_code == 0
    assert decoded == ["Ganz neu."]
    entry = polib.pofile(str(elsewhere / "locales" / "en" / "LC_MESSAGES" / "third.po")).find(FIRST[4])
    assert entry.msgstr == f"REVIEWED {FIRST[4]}" and "first.de-en.tmx#tu" in entry.comment


def test_memory_takes_only_confirmed_entries_and_refuses_entity_laden_tmx(tmp_path):
    po = tmp_path / "x.po"
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalog.append(polib.POEntry(msgid="Ja.", msgstr="Yes."))
    catalog.append(polib.POEntry(msgid="Nein.", msgstr="No.", flags=["fuzzy"]))
    catalog.save(str(po))
    memory = load_memory([po])
    assert memory.exact("Ja.").english == "Yes." and memory.exact("Nein.") is None
    assert memory.nearest("Ja!") is None or memory.nearest("Ja!")[1] >= NEAR_MATCH
    evil = tmp_path / "evil.tmx"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x "y">]><tmx version="1.4"><body/></tmx>', encoding="utf-8")
    (tmp_path / "x.txt").write_text("Ja.\n", encoding="utf-8")
    result = run("translate", tmp_path / "x.txt", "--tm", evil, "--model", TINY_MODEL, "-o", tmp_path / "out", "--locales", tmp_path / "locales")
    assert result.exit_code == 2 and "refusing XML with entity declarations" in result.stderr
