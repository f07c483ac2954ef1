"""`dolmetsch check`: review checks over reviewer-edited PO catalogues and bitext files."""

from __future__ import annotations

import polib
from typer.testing import CliRunner

from conftest import ROOT
from dolmetsch.cli import app

GLOSSARY = ROOT / "glossary" / "news.de-en.tsv"


def catalog(path, pairs):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for de, en in pairs:
        po.append(polib.POEntry(msgid=de, msgstr=en, occurrences=[("article.txt", "3")]))
    po.save(str(path))
    return path


def check(*args):
    return CliRunner().invoke(app, ["check", *map(str, args)])


def test_clean_catalog_passes(tmp_path):
    po = catalog(tmp_path / "a.po", [
        ("Putin und Kim trafen sich in Wostotschny.", "Putin and Kim met in Vostochny."),
        ("Kim lobte Putins Gastfreundschaft.", "Kim praised Putin's hospitality."),
        ("Kim reiste nach Russland.", ""),  # not translated yet: nothing to check
    ])
    result = check(po, "--glossary", GLOSSARY)
    assert result.exit_code == 0, result.output


def test_forbidden_variant_and_missing_rendering_are_named(tmp_path):
    po = catalog(tmp_path / "a.po", [
        ("Putin und Kim trafen sich in Wostotschny.", "Putin and Kim met in Vostochny."),
        ("Kim flog nach Pjöngjang zurück.", "Kim flew back to Pjöngjang."),
        ("Kim besuchte Wladiwostok.", "Kim visited the port city."),
    ])
    result = check(po, "--glossary", GLOSSARY)
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert any("Pyongyang" in l and "forbidden variant 'Pjöngjang'" in l for l in lines)
    assert any("'Wladiwostok' must be rendered 'Vladivostok'" in l for l in lines)
    assert not any("Vostochny" in l for l in lines)
    entries = {e.msgid: e.linenum for e in polib.pofile(str(po))}
    assert f"{po}:{entries['Kim flog nach Pjöngjang zurück.']}:" in result.stdout


def test_bitext_rows_are_checked_with_their_line(tmp_path):
    tsv = tmp_path / "a.de-en.tsv"
    tsv.write_text(
        "block\tsentence\tkind\tline\tde\ten\tglossary\tflags\n"
        "1\t1\tparagraph\t1\tKim besuchte Moskau.\tKim visited Moscow.\t\tmachine\n"
        "2\t1\tparagraph\t3\tKim besuchte Moskau.\tKim visited Moskau.\t\tmachine\n",
        encoding="utf-8",
    )
    result = check(tsv, "--glossary", GLOSSARY, "--check", "glossary")
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines and all(l.startswith(f"{tsv}:3: error glossary:") for l in lines)
    assert any("forbidden variant 'Moskau'" in l for l in lines)


def test_unreadable_input_exits_2(tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid "unterminated\n', encoding="utf-8")
    result = check(bad, "--glossary", GLOSSARY)
    assert result.exit_code == 2 and f"{bad}:1: not valid PO syntax" in result.stderr
    assert check(tmp_path / "none.po", "--glossary", GLOSSARY).exit_code == 2


def test_without_any_glossary_the_glossary_check_cannot_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./glossary/ here
    po = catalog(tmp_path / "a.po", [("Kim flog nach Pjöngjang zurück.", "Kim flew back to Pjöngjang.")])
    result = check(po, "--check", "glossary")
    assert result.exit_code == 2 and "no glossary" in result.stderr


def test_project_glossary_applies_by_default(tmp_path, monkeypatch):
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary" / "news.de-en.tsv").write_bytes(GLOSSARY.read_bytes())
    monkeypatch.chdir(tmp_path)
    po = catalog(tmp_path / "a.po", [("Kim flog nach Pjöngjang zurück.", "Kim flew back to Pjöngjang.")])
    result = check(po)
    assert result.exit_code == 1 and "error glossary: forbidden variant 'Pjöngjang'" in result.stdout


def test_unknown_check_name_is_one_line(tmp_path):
    po = catalog(tmp_path / "a.po", [("Kim reiste.", "Kim travelled.")])
    result = check(po, "--glossary", GLOSSARY, "--check", "spelling")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "dolmetsch: error: --check: unknown check 'spelling' (known: glossary, numbers, quotes, punctuation, untranslated, markup, consistency)"
    ]


def test_list_names_every_registered_check():
    from dolmetsch.checks import CHECKS

    result = check("--list")
    assert result.exit_code == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [c.name for c in CHECKS]


def test_a_registered_check_runs_without_touching_the_command(tmp_path, monkeypatch):
    """The registry is the only place a check has to be added."""
    import dolmetsch.checks as checks
    from dolmetsch.checks.base import Check, Finding

    def shouting(segments, context):
        for s in segments:
            if s.en.isupper():
                yield Finding(s.where, "shouting", "all capitals", "warning")

    monkeypatch.setattr(checks, "CHECKS", (*checks.CHECKS, Check("shouting", shouting)))
    po = catalog(tmp_path / "a.po", [("Kim reiste.", "KIM TRAVELLED.")])
    result = check(po, "--glossary", GLOSSARY, "--check", "shouting", "--warnings-as-errors")
    assert result.exit_code == 1
    assert result.stdout.strip().endswith(": warning shouting: all capitals")
