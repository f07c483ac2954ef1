"""Glossary enforcement changes real decoder output of the tiny model, by each strategy."""

from __future__ import annotations

import json

import polib
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.document.blocks import parse_blocks
from dolmetsch.glossary.enforce import GlossaryEnforcer
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.pipeline import translate_document

NEWS = ROOT / "glossary" / "news.de-en.tsv"


def translate(engine, text, entries=None):
    document = parse_blocks(text, source="t.txt", name="t", encoding="utf_8")
    enforcer = GlossaryEnforcer(Glossary(tuple(entries))) if entries is not None else None
    return translate_document(document, engine, enforcer=enforcer).segments


def entry(de, en, kind="name", forbidden=()):
    return Entry(de=de, en=en, kind=kind, forbidden=tuple(forbidden))


def test_nbest_fixes_a_name_the_model_renders_its_own_way(tiny_engine):
    (plain,) = translate(tiny_engine, "Putin traf Kim in Wladiwostok.")
    assert plain.english == "Putin met Kim in Wladiwostok."
    (fixed,) = translate(tiny_engine, "Putin traf Kim in Wladiwostok.", [entry("Wladiwostok", "Vladivostok", forbidden=["Wladiwostok"])])
    assert fixed.english == "Putin met Kim in Vladivostok."
    assert [(t.found, t.how) for t in fixed.terms] == [("Wladiwostok", "n-best")]


def test_prefix_forces_a_rendering_the_model_never_chose(tiny_engine):
    (plain,) = translate(tiny_engine, "Putin und Kim trafen sich in Wostotschny.")
    assert plain.english == "Putin and Kim met in Wostotschny."
    (fixed,) = translate(tiny_engine, "Putin und Kim trafen sich in Wostotschny.", [entry("Wostotschny", "Vostochny", forbidden=["Wostotschny"])])
    assert fixed.english == "Putin and Kim met in Vostochny."
    assert fixed.terms[0].how == "prefix"


def test_term_inflected_in_german_is_enforced(tiny_engine):
    text = "Putin traf den nordkoreanischen Machthaber in Wladiwostok."
    (plain,) = translate(tiny_engine, text)
    assert "leader" in plain.english and "ruler" not in plain.english
    (fixed,) = translate(tiny_engine, text, [entry("Machthaber", "ruler", kind="term"), entry("nordkoreanisch", "North Korean", kind="term")])
    assert "North Korean ruler" in fixed.english
    assert {t.found: t.how for t in fixed.terms}["nordkoreanischen"] == "natural"
    assert {t.found: t.how for t in fixed.terms}["Machthaber"] in ("prefix", "replaced")


def test_natural_when_the_model_already_agrees(tiny_engine):
    (segment,) = translate(tiny_engine, "Putins Delegation besuchte Nordkorea.", [entry("Putin", "Putin"), entry("Nordkorea", "North Korea")])
    assert segment.english == "Putin's delegation visited North Korea."
    assert [t.how for t in segment.terms] == ["natural", "natural"]


def test_keep_term_stays_as_written(tiny_engine):
    text = "Die Nachrichtenagentur RIA Nowosti berichtete am Mittwoch."
    (segment,) = translate(tiny_engine, text, [entry("RIA Nowosti", "RIA Nowosti", kind="keep")])
    assert "RIA Nowosti" in segment.english and "Novosti" not in segment.english
    assert segment.terms[0].how != "MISSING"


def test_article_run_satisfies_every_term_and_check_agrees(tmp_path):
    out, locales = tmp_path / "out", tmp_path / "locales"
    result = CliRunner().invoke(app, ["translate", str(EXAMPLE), "--model", str(TINY_MODEL), "-o", str(out), "--locales", str(locales), "--glossary", str(NEWS)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "putin-kim.glossary.json").read_text(encoding="utf-8"))
    assert report["matched"] > 100
    assert report["satisfied"] == report["matched"], report["by_strategy"]
    assert report["by_strategy"]["prefix"] > 0 and report["by_strategy"]["n-best"] > 0
    po = locales / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po))
    assert any("glossary: Wostotschny → Vostochny" in e.comment for e in catalog)
    english = (out / "putin-kim.en.txt").read_text(encoding="utf-8")
    assert "Wostotschny" not in english and "Pjöngjang" not in english

    check = CliRunner().invoke(app, ["check", str(po), "--glossary", str(NEWS)])
    assert check.exit_code == 0, check.output

    # a reviewer edits one rendering back to a forbidden variant: check names that segment
    edited = next(e for e in catalog if "Pyongyang" in e.msgstr)
    edited.msgstr = edited.msgstr.replace("Pyongyang", "Pjöngjang")
    catalog.save()
    line = next(e.linenum for e in polib.pofile(str(po)) if e.msgid == edited.msgid)
    check = CliRunner().invoke(app, ["check", str(po), "--glossary", str(NEWS)])
    assert check.exit_code == 1
    findings = check.stdout.strip().splitlines()
    assert findings and all(f.startswith(f"{po}:{line}: error glossary: ") for f in findings)
    assert f"{po}:{line}: error glossary: forbidden variant 'Pjöngjang' for 'Pjöngjang' (use 'Pyongyang')" in findings


def test_without_glossary_the_article_breaks_it(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["translate", str(EXAMPLE), "--model", str(TINY_MODEL), "-o", str(out), "--locales", str(tmp_path / "l"), "--no-glossary"])
    assert result.exit_code == 0
    check = CliRunner().invoke(app, ["check", str(out / "putin-kim.de-en.tsv"), "--glossary", str(NEWS)])
    assert check.exit_code == 1 and "Vladivostok" in check.stdout
