"""No false positives on a careful human translation of the bundled article, and every planted error found.

tests/fixtures/putin-kim.reviewed.en.po is a reviewed English translation of all 52 segments of
examples/putin-kim.txt, written by hand with the names and renderings of glossary/news.de-en.tsv.
"""

from __future__ import annotations

import shutil

import polib
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dolmetsch.cli import app

REVIEWED = ROOT / "tests" / "fixtures" / "putin-kim.reviewed.en.po"
GLOSSARY = ROOT / "glossary"


def check(*args):
    return CliRunner().invoke(app, ["check", *map(str, args)])


def test_the_reviewed_translation_of_the_article_reports_nothing():
    result = check(REVIEWED, "--glossary", GLOSSARY, "--warnings-as-errors")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip().endswith("no problems; 52 entries: 52 reviewed, 0 fuzzy, 0 empty")


def test_the_fixture_translates_every_segment_of_the_article():
    from dolmetsch import parse_text

    document = parse_text((ROOT / "examples" / "putin-kim.txt").read_text(encoding="utf-8"), name="putin-kim")
    entries = [e for e in polib.pofile(str(REVIEWED)) if not e.obsolete]
    assert [e.msgid for e in entries] == [s.text for s in document.segments()]
    assert all(e.msgstr and not e.fuzzy for e in entries)
    assert all(file == "examples/putin-kim.txt" for e in entries for file, _ in e.occurrences)


def _plant(path):
    """Copy the fixture to `path` with one planted error per kind; returns {msgid: (check, level, message start)}."""
    catalog = polib.pofile(str(REVIEWED))
    planted = {}

    def edit(german_start, replace, check, level, message):
        (entry,) = [e for e in catalog if e.msgid.startswith(german_start)]
        entry.msgstr = replace(entry.msgstr)
        planted[entry.msgid] = (check, level, message)

    edit("Das Raumfahrtzentrum", lambda en: en.replace("1,500", "1.500"), "numbers", "error", "'1.500' is written the German way")
    edit("2019 trafen", lambda en: en.replace("2019", "2018"), "numbers", "error", "'2019' is not in the English")
    edit("„Einen Toast", lambda en: en.replace("“", "„").replace("”", "“"), "quotes", "error", "German quotation mark „")
    edit("Der russische Staatschef sagte", lambda en: en.replace("”", ""), "quotes", "error", "unbalanced quotes")
    edit("Auf die Frage", lambda en: en.replace("cooperation", "collaboration"), "consistency", "warning",
         "„Zusammenarbeit“ is rendered in different ways: 'cooperation' 4×, 'collaboration' 1×")
    edit("Kim erhielt", lambda en: "", "untranslated", "warning", "not translated")
    edit("Ein zentrales Thema", lambda en: "Ein zentrales Thema der Beratungen dürften nordkoreanische Waffenlieferungen "
         "an Russland für dessen Krieg in der Ukraine gewesen sein.", "untranslated", "error", "the English is the German unchanged")
    edit("Kim pries", lambda en: en.rstrip("."), "punctuation", "error", "ending punctuation differs")
    edit("Krisai (ORF)", lambda en: en.replace("(ORF)", "of ORF"), "punctuation", "error", "brackets differ")
    edit("Kims Übersetzer", lambda en: en.replace("interpreter thanked", "interpreter  thanked"), "punctuation", "warning", "doubled space")
    edit("Ein vom Kreml", lambda en: en.replace("Kremlin shows", "Kremlin\nshows"), "punctuation", "error", "newline count differs")
    edit("Putin verkündete", lambda en: en.replace("Putin announced", "Putin\tannounced"), "punctuation", "error", "tab count differs")
    edit("Kim betonte", lambda en: en + " ", "punctuation", "warning", "trailing white space differs")
    edit("Zu Ehren", lambda en: en.replace("Pyongyang", "Pjöngjang"), "glossary", "error", "forbidden variant 'Pjöngjang'")
    edit("der russische Präsident Wladimir Putin zusammen", lambda en: "Russian President Vladimir Putin and North Korean "
         "dictator Kim Jong Un", "consistency", "warning", "the same English translates a different German sentence")
    twice = next(e for e in catalog if e.msgid.startswith("Am Mittwoch trafen"))
    again = polib.POEntry(msgid=twice.msgid, msgctxt="occurrence 2", msgstr="On Wednesday, Kim and Putin met",
                          occurrences=[("examples/putin-kim.txt", "61")])
    catalog.append(again)
    planted[("occurrence 2", again.msgid)] = ("consistency", "error", "the same German is translated differently")
    catalog.save(str(path))
    return planted


@pytest.fixture()
def planted(tmp_path):
    path = tmp_path / "putin-kim.po"
    expected = _plant(path)
    lines = {(e.msgctxt, e.msgid) if e.msgctxt else e.msgid: e.linenum for e in polib.pofile(str(path))}
    return path, {lines[key]: value for key, value in expected.items()}


def test_every_planted_error_is_found_by_the_expected_check(planted):
    path, expected = planted
    result = check(path, "--glossary", GLOSSARY)
    assert result.exit_code == 1
    findings = result.stdout.strip().splitlines()
    for line, (name, level, message) in expected.items():
        prefix = f"{path}:{line}: {level} {name}: {message}"
        assert any(f.startswith(prefix) for f in findings), (prefix, findings)
    assert len(expected) == 16


def test_nothing_is_reported_outside_the_planted_segments(planted):
    path, expected = planted
    findings = check(path, "--glossary", GLOSSARY).stdout.strip().splitlines()
    lines = {int(f[len(str(path)) + 1 :].split(":")[0]) for f in findings}
    assert lines <= set(expected), sorted(lines - set(expected))


def test_the_checks_agree_on_a_copy_in_another_folder(planted, tmp_path):
    """A folder argument walks its catalogues: the same findings as the file itself."""
    path, _ = planted
    folder = tmp_path / "locales" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(path, folder / path.name)
    by_file = check(path, "--glossary", GLOSSARY).stdout.replace(str(path), "P")
    by_folder = check(tmp_path / "locales", "--glossary", GLOSSARY).stdout.replace(str(folder / path.name), "P")
    assert by_file == by_folder
