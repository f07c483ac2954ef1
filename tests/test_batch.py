"""Many documents in one run: one model load, one decoding pass, each document its own outputs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.engine.engine import Engine


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def feed(tmp_path):
    """Two articles in a folder and one beside it, plus a broken one."""
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "a.txt").write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Treffen in Russland\n\nKim besuchte Russland.\n", encoding="utf-8")
    (folder / "notes.log").write_text("not an article", encoding="utf-8")
    single = tmp_path / "c.txt"
    single.write_text("Putin reiste nach Nordkorea.\n", encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(bytes(range(256)) * 4)
    return folder, single, broken


@pytest.fixture
def calls(monkeypatch):
    """Model loads and the sentences of each first decoding pass."""
    seen = {"loads": 0, "passes": []}
    load, translate = Engine.load.__func__, Engine.translate

    def counting_load(cls, *args, **kwargs):
        seen["loads"] += 1
        return load(cls, *args, **kwargs)

    def counting_translate(self, sentences, **options):
        seen["passes"].append(list(sentences))
        return translate(self, sentences, **options)

    monkeypatch.setattr(Engine, "load", classmethod(counting_load))
    monkeypatch.setattr(Engine, "translate", counting_translate)
    return seen


def test_a_batch_loads_once_and_decodes_every_document_in_one_pass(tmp_path, feed, calls):
    folder, single, _ = feed
    out, locales = tmp_path / "out", tmp_path / "locales"
    result = run("translate", folder, single, "--model", TINY_MODEL, "--no-glossary", "-o", out, "--locales", locales, "--report", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert calls["loads"] == 1
    assert calls["passes"] == [["Kim besuchte Russland.", "Putin traf Kim.", "Treffen in Russland", "Putin reiste nach Nordkorea."]]  # every distinct sentence of a, b and c, once
    for stem in ("a", "b", "c"):
        assert (out / f"{stem}.en.txt").is_file() and (locales / "en" / "LC_MESSAGES" / f"{stem}.po").is_file()
    assert not (out / "notes.en.txt").exists()
    rows = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [(r["document"], r["segments"], r["decoded"], r["error"]) for r in rows] == [
        (str(folder / "a.txt"), 2, 2, None), (str(folder / "b.txt"), 2, 2, None), (str(single), 1, 1, None)
    ]
    assert "documents" in result.stderr and "words per second" in result.stderr


def test_a_bad_document_is_reported_and_the_others_go_on(tmp_path, feed):
    folder, _, broken = feed
    out = tmp_path / "out"
    result = run("translate", broken, folder, "--model", TINY_MODEL, "--no-glossary", "-o", out, "--locales", tmp_path / "l", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"dolmetsch: error: {broken}: not a text file (binary data)"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}{x}" for s in "ab" for x in (".en.txt", ".de-en.tsv", ".de-en.md", ".review.html"))


def test_a_killed_batch_finishes_only_what_is_missing(tmp_path, feed, calls):
    folder, single, _ = feed
    args = ["translate", folder, "--model", TINY_MODEL, "--no-glossary", "-o", tmp_path / "out", "--locales", tmp_path / "l", "-q"]
    assert run(*args).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "l").rglob("*.po")}
    (folder / "c.txt").write_bytes(single.read_bytes())  # a new article arrives
    assert run(*args).exit_code == 0
    assert calls["loads"] == 2 and calls["passes"][-1] == ["Putin reiste nach Nordkorea."]
    assert {p: p.stat().st_mtime_ns for p in before} == before  # finished documents are left alone
    assert run(*args).exit_code == 0
    assert calls["loads"] == 2  # nothing left to decode: no model load


def test_documents_with_the_same_name_are_not_written_over_each_other(tmp_path, feed):
    folder, _, _ = feed
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "a.txt").write_text("Ganz anderer Text.\n", encoding="utf-8")
    result = run("translate", folder / "a.txt", other / "a.txt", "--model", TINY_MODEL, "--no-glossary", "-o", tmp_path / "o", "--locales", tmp_path / "l", "-q")
    assert result.exit_code == 1
    assert f"{other / 'a.txt'}: has the same output name as {folder / 'a.txt'}" in result.stderr
    assert "Kim" in (tmp_path / "o" / "a.en.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("extra, message", [(["-"], "standard input cannot be combined"), (["--name", "x"], "--name: names the outputs of one source only")])
def test_batch_usage_mistakes_are_one_line(tmp_path, feed, extra, message):
    folder, single, _ = feed
    result = run("translate", folder, single, *extra, "--model", TINY_MODEL, "--no-glossary", "-o", tmp_path / "o")
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
