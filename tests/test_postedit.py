"""Locale post-edit: German quotation marks, number and date notation rewritten the English way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolmetsch.checks.numbers import number_problems
from dolmetsch.checks.quotes import german_marks_left, unbalanced
from dolmetsch.postedit import post_edit


@pytest.mark.parametrize(
    "machine, typographic, ascii",
    [
        ("He said „hello“.", "He said “hello”.", 'He said "hello".'),
        ("He said „hello”.", "He said “hello”.", 'He said "hello".'),
        ("He said »hello«.", "He said “hello”.", 'He said "hello".'),
        ("He said «hello».", "He said “hello”.", 'He said "hello".'),
        ("He said ‚hello‘.", "He said ‘hello’.", "He said 'hello'."),
        ("He said ›hello‹.", "He said ‘hello’.", "He said 'hello'."),
        ("„A ‚toast‘ to us“, he said.", "“A ‘toast’ to us”, he said.", "\"A 'toast' to us\", he said."),
        ("„It goes on", "“It goes on", '"It goes on'),  # a quote that continues in the next sentence
    ],
)
def test_german_quotes_become_english_ones(machine, typographic, ascii):
    assert post_edit(machine) == (typographic, ["quotes"])
    assert post_edit(machine, quotes="ascii") == (ascii, ["quotes"])


def test_english_quotes_are_left_alone_whatever_the_style():
    assert post_edit("He said “hello” and 'bye'.", quotes="ascii") == ("He said “hello” and 'bye'.", [])


@pytest.mark.parametrize(
    "machine, english",
    [
        ("more than 1.500 kilometres", "more than 1,500 kilometres"),
        ("1.500.000 euros", "1,500,000 euros"),
        ("1.500,5 tonnes", "1,500.5 tonnes"),
        ("3,5 kilometres", "3.5 kilometres"),
        ("by 3,5 %", "by 3.5%"),
        ("by 3.5 %", "by 3.5%"),
    ],
)
def test_german_numbers_become_english_ones(machine, english):
    assert post_edit(machine) == (english, ["numbers"])


@pytest.mark.parametrize(
    "english",
    ["3,500 people", "1,500 kilometres", "3.5%", "at 14.30", "version 192.168.1.1", "in 2019, 130 people", "1.5 million"],
)
def test_english_numbers_are_left_alone(english):
    assert post_edit(english) == (english, [])


def test_a_german_date_becomes_an_english_one():
    assert post_edit("on 13. September") == ("on 13 September", ["dates"])
    assert post_edit("on 13 September") == ("on 13 September", [])


def test_changes_are_listed_in_a_fixed_order():
    assert post_edit("On 13. September he said „1.500“.") == ("On 13 September he said “1,500”.", ["quotes", "numbers", "dates"])


def test_protected_words_and_spans_stay_as_written():
    text = "The Boeing 1.500 and „Club 3,5“ met 1.500 fans."
    assert post_edit(text, protected=["Boeing 1.500", "Club 3,5"]) == ("The Boeing 1.500 and “Club 3,5” met 1,500 fans.", ["quotes", "numbers"])
    start = text.index("1.500 fans")
    assert post_edit(text, protected=[(start, start + 5)])[0] == "The Boeing 1,500 and “Club 3.5” met 1.500 fans."
    assert post_edit("„Kim“", protected=["„Kim“"]) == ("„Kim“", [])


def test_an_unknown_quote_style_is_refused():
    with pytest.raises(ValueError, match="quotes must be one of typographic, ascii"):
        post_edit("x", quotes="french")


def test_post_edited_english_passes_the_checks():
    """What post_edit writes is what the numbers and quotes checks ask for."""
    german = "Putin sagte: „Es sind 1.500 Kilometer und 3,5 Prozent, seit dem 13. September.“"
    machine = "Putin said: „It is 1.500 kilometres and 3,5 per cent, since 13. September.“"
    english, _ = post_edit(machine)
    assert list(number_problems(german, english)) == [] and not german_marks_left(english) and unbalanced(english) is None
    assert list(number_problems(german, machine))  # the checks do see the machine's German notation


PIECES = list("ab 1,.%„“”‚‘»«›‹\"'") + ["September", "13. ", "1.500", "3,5", "\ue000"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


@given(TEXT)
def test_post_editing_twice_changes_nothing_more(text):
    once, _ = post_edit(text)
    assert post_edit(once) == (once, [])


@given(TEXT, st.lists(st.sampled_from(["1.500", "„", "3,5", "a"]), max_size=3))
def test_protected_text_survives_exactly(text, protected):
    edited, _ = post_edit(text, protected=protected)
    for word in protected:
        assert edited.count(word) >= text.count(word)


def test_translate_post_edits_machine_output_and_says_so(tmp_path, monkeypatch):
    """Wired into the pipeline: the PO comment and the TSV flag name the change; --no-post-edit skips it."""
    import polib
    from typer.testing import CliRunner

    from conftest import TINY_MODEL
    from dolmetsch.cli import app
    from dolmetsch.engine.engine import Engine

    translate = Engine.translate

    def german_quotes(self, sentences, **options):
        found = translate(self, sentences, **options)
        from dataclasses import replace

        return [[replace(h, text=f"„{h.text}“ 1.500") for h in hypotheses] for hypotheses in found]

    monkeypatch.setattr(Engine, "translate", german_quotes)
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    args = ["translate", str(source), "--model", str(TINY_MODEL), "--no-glossary", "-q", "-o", str(tmp_path / "o"), "--locales", str(tmp_path / "l")]
    assert CliRunner().invoke(app, args).exit_code == 0
    (entry,) = polib.pofile(str(tmp_path / "l" / "en" / "LC_MESSAGES" / "a.po"))
    assert entry.msgstr.startswith("“") and entry.msgstr.endswith("” 1,500")
    assert "post-edited to English conventions: quotes, numbers" in entry.comment
    assert "post-edited" in (tmp_path / "o" / "a.de-en.tsv").read_text(encoding="utf-8")
    assert CliRunner().invoke(app, [*args[:2], "--retranslate", "--no-post-edit", *args[2:]]).exit_code == 0
    assert (tmp_path / "o" / "a.en.txt").read_text(encoding="utf-8").startswith("„")
    assert CliRunner().invoke(app, [*args[:2], "--retranslate", "--quotes", "ascii", *args[2:]]).exit_code == 0
    assert (tmp_path / "o" / "a.en.txt").read_text(encoding="utf-8").startswith('"')
