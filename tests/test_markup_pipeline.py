"""Inline markup through the pipeline: plain text to the model, placeholders to people, the
alignment's hard links for glossary terms, the markup check, and the other checks reading plain text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy
import polib
import pytest
from typer.testing import CliRunner

from conftest import ROOT, TINY_MODEL
from dolmetsch.checks import CheckContext, run_checks, select_checks
from dolmetsch.checks.markup import without_placeholders
from dolmetsch.markup.placeholders import elements_of
from dolmetsch.cli import app
from dolmetsch.document.inline import MarkedText, Span, Tag
from dolmetsch.engine.engine import Hypothesis
from dolmetsch.enforce import inline
from dolmetsch.enforce.inline import plain_english, shown_terms
from dolmetsch.markup.project import Projection
from dolmetsch.sources import read_document
from dolmetsch.translation import NATURAL, ReviewedSegment, TermOutcome

GLOSSARY = ROOT / "glossary"
PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Putin trifft Kim</title></head>
<body>
<p>Der Präsident <a href="/p">Wladimir Putin</a> reiste nach <b>Wostotschny</b>.</p>
<p>Kim Jong Un kam mit dem Zug.</p>
</body></html>
"""


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def translate(source: Path, root: Path, *extra):
    return run("translate", source, "--model", TINY_MODEL, "--offline", "-o", root / "out", "--locales", root / "locales", "-q", *extra)


@pytest.fixture
def page(tmp_path) -> Path:
    source = tmp_path / "page.html"
    source.write_text(PAGE, encoding="utf-8")
    return source


def marked(text: str, *spans: tuple[int, int, int], voids: tuple[int, ...] = ()) -> MarkedText:
    tags = tuple(Tag(i, f"<e{i}>", f"</e{i}>", void=i in voids) for i, _, _ in spans)
    return MarkedText(text, tuple(sorted((Span(*s) for s in spans), key=lambda s: (s.start, -s.end, s.id))), tags)


# --- the model reads plain text, people read placeholders -------------------------------------------


def test_the_model_gets_plain_sentences_and_the_po_shows_placeholders(tmp_path, page, monkeypatch):
    from dolmetsch.engine.engine import Engine

    seen: list[str] = []
    original = Engine.translate

    def spy(self, sentences, **options):
        seen.extend(sentences)
        return original(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", spy)
    assert translate(page, tmp_path, "--no-glossary").exit_code == 0
    assert "Der Präsident Wladimir Putin reiste nach Wostotschny." in seen
    assert not any("<" in sentence for sentence in seen)
    po = polib.pofile(str(tmp_path / "locales" / "en" / "LC_MESSAGES" / "page.po"))
    entry = po.find("Der Präsident <1>Wladimir Putin</1> reiste nach <2>Wostotschny</2>.")
    assert entry is not None and "<1>" in entry.msgstr and "</2>" in entry.msgstr
    assert not (tmp_path / "out" / "page.en.txt").exists()


def test_a_glossary_term_inside_a_link_stays_inside_the_link(tmp_path, page):
    assert translate(page, tmp_path, "-g", GLOSSARY).exit_code == 0
    english = (tmp_path / "out" / "page.en.html").read_text(encoding="utf-8")
    assert '<a href="/p">Vladimir Putin</a>' in english
    assert "<b>Vostochny</b>" in english
    assert '<html lang="en">' in english


def test_glossary_renderings_are_hard_links_in_the_alignment(tiny_engine):
    german, english = "Der Präsident Wladimir Putin reiste.", "The president Vladimir Putin travelled."
    source_pieces = tiny_engine.encode_with_offsets(german)
    target_pieces = tiny_engine.encode_with_offsets(english)
    uniform = numpy.full((len(target_pieces), len(source_pieces)), 1.0 / len(source_pieces), dtype=numpy.float32)
    hypothesis = Hypothesis(english, tuple(p for p, _, _ in target_pieces), 0.0, tuple(p for p, _, _ in source_pieces), uniform)
    start = german.index("Wladimir Putin")
    term = TermOutcome("Wladimir Putin", "Vladimir Putin", "Wladimir Putin", start, start + len("Wladimir Putin"), NATURAL)
    alignment = inline._alignment(tiny_engine, german, english, hypothesis, [term])
    term_pieces = {s for s, (_, a, b) in enumerate(source_pieces) if a < term.end and b > term.start}
    rendering = english.index("Vladimir Putin")
    for t, (_, a, b) in enumerate(target_pieces):
        row = alignment.weights[t]
        if a < rendering + len("Vladimir Putin") and b > rendering:  # the rendering: the German term only
            assert {s for s, w in enumerate(row) if w > 0} == term_pieces
        else:  # elsewhere the attention as it was
            assert all(w == pytest.approx(1.0 / len(source_pieces)) for w in row)


def test_elements_placed_without_confidence_are_named_in_the_po(tmp_path, page, monkeypatch):
    def unsure(engine, sources, englishes, terms=(), decoded=()):
        return [Projection(_all_at_end(m, e), tuple(s.id for s in m.spans)) for m, e in zip(sources, englishes)]

    monkeypatch.setattr("dolmetsch.pipeline.place_inline", unsure)
    assert translate(page, tmp_path, "--no-glossary").exit_code == 0
    po = (tmp_path / "locales" / "en" / "LC_MESSAGES" / "page.po").read_text(encoding="utf-8")
    assert "#. markup placed without a confident alignment, check where it sits: <1>, <2>" in po


def _all_at_end(source: MarkedText, english: str) -> MarkedText:
    """Every element over the whole English (nested in source order), as a placement without alignment would be."""
    spans = tuple(Span(s.id, 0, len(english)) for s in source.spans)
    return MarkedText(english, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.id))), source.tags)


def test_term_offsets_point_into_the_sentence_as_people_see_it():
    source = marked("Der Präsident Wladimir Putin reiste.", (1, 14, 28))
    term = TermOutcome("Wladimir Putin", "Vladimir Putin", "Wladimir Putin", 14, 28, NATURAL)
    [shown] = shown_terms([term], source)
    text = "Der Präsident <1>Wladimir Putin</1> reiste."
    assert text[shown.start : shown.end] == "Wladimir Putin"
    [before] = shown_terms([TermOutcome("Präsident", "president", "Präsident", 4, 13, NATURAL)], source)
    assert text[before.start : before.end] == "Präsident"
    assert shown_terms([term], None) == (term,)


def test_a_reviewers_broken_placeholders_are_dropped_for_the_glossary_review():
    source = marked("Kim pries die Truppen.", (1, 4, 9))
    assert plain_english("Kim <1>praised</1> the troops.", source) == "Kim praised the troops."
    assert plain_english("Kim <1>praised the troops.", source) == "Kim praised the troops."
    assert plain_english("Kim <1>praised</1>.", None) == "Kim <1>praised</1>."


# --- checks ---------------------------------------------------------------------------------------


def check(de: str, en: str, name: str = "markup") -> list[str]:
    return [f.message for f in run_checks([ReviewedSegment(de, en, "a.po:3")], CheckContext(), select_checks([name]))]


GERMAN = "Kim <1>pries</1> die <2>Truppen</2>.<3/>"


@pytest.mark.parametrize(
    ("english", "problem"),
    [
        ("Kim <1>praised</1> the troops.<3/>", "placeholder <2> is missing"),
        ("Kim <1>praised</1> the <2>troops</2>.<3/><4/>", "placeholder <4> is not in the German"),
        ("Kim <1>praised</1> the <2>troops</2> <2>again</2>.<3/>", "placeholder <2> appears twice"),
        ("Kim <1>praised the <2>troops</1></2>.<3/>", "<1> is closed before <2>"),
        ("Kim <1>praised</1> the <2>troops</2>.<3>", "<3> is a single element: write <3/>"),
        ("Kim <1/> the <2>troops</2>.<3/>", "<1> encloses text: write <1>…</1>, not <1/>"),
    ],
)
def test_the_markup_check_reports_each_kind_of_placeholder_error(english, problem):
    assert problem in check(GERMAN, english)


def test_the_markup_check_passes_placeholders_that_pair_up_in_another_order():
    assert check(GERMAN, "The <2>troops</2> were <1>praised</1> by Kim.<3/>") == []
    assert check("Kim kam.", "Kim came.") == []


def test_the_germans_own_placeholders_say_which_elements_are_points():
    elements = elements_of(GERMAN)
    assert [(t.id, t.void) for t in elements.tags] == [(1, False), (2, False), (3, True)]
    assert elements_of("Kim kam.") is None


def test_the_other_checks_read_the_text_without_placeholders():
    de, en = "Kim pries die Truppen.<1/>", "Kim praised the troops.<1/>"
    assert check(de, en, "punctuation") == []
    assert check("Kim kam.", "Kim came<1/>", "punctuation") != []  # a placeholder the German lacks is no end punctuation either
    assert check("Kim kam.<1/>", "Kim came<1/>.", "punctuation") == []  # read with its placeholders, the German would end in ">"
    [plain] = without_placeholders([ReviewedSegment("Kim \\<1> <2>kam</2>.", "Kim \\<1> <2>came</2>.", "a.po:1")])
    assert (plain.de, plain.en) == ("Kim <1> kam.", "Kim <1> came.")


# --- the English document -------------------------------------------------------------------------


def test_an_html_source_in_another_encoding_gets_its_english_in_that_encoding(tmp_path):
    source = tmp_path / "alt.html"
    source.write_bytes('<html lang="de"><head><meta charset="windows-1252"></head><body><p>Kim kam nach Rußland.</p></body></html>\n'.encode("cp1252"))
    assert translate(source, tmp_path, "--no-glossary").exit_code == 0
    data = (tmp_path / "out" / "alt.en.html").read_bytes()
    assert data.startswith(b'<html lang="en"><head><meta charset="windows-1252">')
    data.decode("cp1252")
    assert read_document(str(source)).encoding == "cp1252"


def test_markdown_and_text_sources_get_their_own_english_document(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.md").write_text("# Treffen\n\nKim *besuchte* Russland.\n", encoding="utf-8")
    (tmp_path / "src" / "b.txt").write_text("Kim besuchte Russland.\n", encoding="utf-8")
    assert translate(tmp_path / "src", tmp_path, "--no-glossary").exit_code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if ".en." in p.name)
    assert names == ["a.en.md", "b.en.txt"]
    english = (tmp_path / "out" / "a.en.md").read_text(encoding="utf-8")
    assert english.startswith("# ") and english.count("*") == 2


def test_photo_credits_pass_through_as_in_a_text_article(tmp_path):
    source = tmp_path / "bild.html"
    source.write_text(
        "<figure><img src='a.jpg' alt='Kim im Zug'><figcaption>Kim kam mit dem Zug. <span class=credit>APA/AFP/Mikhail Metzel</span></figcaption></figure>\n"
        "<figure><figcaption>AP/Sputnik/Artem Geodakyan</figcaption></figure>\n",
        encoding="utf-8",
    )
    document = read_document(str(source))
    assert [s.text for s in document.segments()] == ["Kim im Zug", "Kim kam mit dem Zug."]
    assert translate(source, tmp_path, "--no-glossary").exit_code == 0
    english = (tmp_path / "out" / "bild.en.html").read_text(encoding="utf-8")
    assert "<span class=credit>APA/AFP/Mikhail Metzel</span></figcaption>" in english
    assert "<figcaption>AP/Sputnik/Artem Geodakyan</figcaption>" in english
    assert "Kim kam" not in english


# --- word-like voids as stand-ins the model copies -----------------------------------------------------


ADDRESSES = (
    "<p>Hinweise bitte an redaktion@orf.at oder über das Formular unter https://orf.at/kontakt/ senden.</p>"
    "<p>Kim<br> kam.</p>\n"
)


def test_word_like_voids_reach_the_model_as_numbers_it_copies(tmp_path, monkeypatch):
    from dolmetsch.engine.engine import Engine

    seen: list[str] = []
    original = Engine.translate

    def spy(self, sentences, **options):
        seen.extend(sentences)
        return original(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", spy)
    source = tmp_path / "adressen.html"
    source.write_text(ADDRESSES, encoding="utf-8")
    assert translate(source, tmp_path, "--no-glossary").exit_code == 0
    assert "Hinweise bitte an 7301 oder über das Formular unter 7302 senden." in seen  # a whole sentence, not "an oder … unter senden"
    assert "Kim kam." in seen  # a <br> reads as nothing
    assert not any("7301" in s for s in seen if s.startswith("Hinweise bitte an redaktion"))
    english = (tmp_path / "out" / "adressen.en.html").read_text(encoding="utf-8")
    assert english.count("redaktion@orf.at") == english.count("https://orf.at/kontakt/") == 1
    assert "7301" not in english and "7302" not in english
    po = polib.pofile(str(tmp_path / "locales" / "en" / "LC_MESSAGES" / "adressen.po"))
    [entry] = [e for e in po if e.msgid.startswith("Hinweise")]
    assert "without a confident alignment" not in entry.comment  # both placed where the model put their numbers


def test_a_stand_in_the_model_copies_places_its_element_and_keeps_the_german_spacing():
    # "an <1/> oder … unter <2/> senden.": the spaces beside each address are the sentence's own text
    source = marked("Hinweise bitte an  oder unter  senden.", (1, 18, 18), (2, 30, 30), voids=(1, 2))
    tags = tuple(replace(t, opening=o) for t, o in zip(source.tags, ("redaktion@orf.at", "https://orf.at/")))
    source = replace(source, tags=tags)
    model = inline.model_sentence(source)
    assert model.text == "Hinweise bitte an 7301 oder unter 7302 senden."
    english, placed = inline.restore("Please send to 7301 or at 7302.", model)
    assert english == "Please send to  or at ." and placed.offsets == {1: 15, 2: 22}  # "to <1/> or at <2/>."
    assert inline.restore("Please send to or at 7302 7302.", model)[1].offsets == {}  # lost and repeated: alignment places them
    assert model.plain_offset(model.text.index("oder")) == source.text.index("oder")
    projection = Projection(MarkedText(english, (Span(1, 0, 0), Span(2, 0, 0)), source.tags), (1, 2))
    moved = inline.with_stand_ins_placed(projection, placed)
    assert [(s.id, s.start) for s in moved.marked.spans] == [(1, 15), (2, 22)] and moved.fallbacks == ()


def test_a_stand_in_glued_to_punctuation_in_the_german_takes_the_english_space_after_it():
    source = marked("Mehr unter .", (1, 11, 11), voids=(1,))  # "Mehr unter <1/>."
    source = replace(source, tags=(replace(source.tags[0], opening="https://orf.at/"),))
    model = inline.model_sentence(source)
    assert model.text == "Mehr unter 7301."
    assert inline.restore("More at 7301 .", model) == ("More at .", inline.StandInPlaces({1: 8}, "More at ."))
    assert inline.restore("More at 7301.", model)[0] == "More at ."


def test_stand_ins_follow_the_spaces_projection_put_in_before_other_elements():
    # projection put a space before element 3 ("agency<3/>" → "agency <3/>"): the stand-in after it moves along
    placed = inline.StandInPlaces({1: 18}, "By the agency, at .")  # "…, at <1/>."
    tags = (Tag(1, "https://orf.at/", void=True), Tag(3, "RIA", void=True))
    projection = Projection(MarkedText("By the agency , at .", (Span(1, 0, 0), Span(3, 14, 14)), tags), (1,))
    moved = inline.with_stand_ins_placed(projection, placed)
    assert moved.marked.text[moved.marked.spans[-1].start:] == "." and dict((s.id, s.start) for s in moved.marked.spans) == {1: 19, 3: 14}


def test_only_voids_that_show_text_stand_in():
    tags = {"url": "https://orf.at/", "code": "<code>x</code>", "br": "<br>", "img": '<img src="a.png" alt="">', "comment": "<!-- q -->"}
    found = {name: inline.reads_as_word(Tag(1, opening, void=True)) for name, opening in tags.items()}
    assert found == {"url": True, "code": True, "br": False, "img": False, "comment": False}
    assert not inline.reads_as_word(Tag(1, "<b>", "</b>"))


def test_an_english_that_is_the_models_own_is_aligned_by_its_own_attention(tmp_path, monkeypatch):
    """No second pass where the first one's attention aligns the English as written; a forced pass
    only where the English is not a hypothesis the model made (here: a glossary term put in)."""
    from dolmetsch.engine.engine import Engine

    calls: list[tuple[list[str], bool, bool]] = []
    original = Engine.translate

    def spy(self, sentences, **options):
        calls.append((list(sentences), bool(options.get("return_attention")), bool(options.get("target_prefixes"))))
        return original(self, sentences, **options)

    monkeypatch.setattr(Engine, "translate", spy)
    source = tmp_path / "eigen.html"
    source.write_text("<p>Kim <b>besuchte</b> Russland.</p><p>Putin traf Kim.</p>\n", encoding="utf-8")
    assert translate(source, tmp_path, "--no-glossary", "--no-post-edit").exit_code == 0
    assert (["Kim besuchte Russland."], True, False) in calls  # with attention, in the first pass
    assert (["Putin traf Kim."], False, False) in calls  # no elements: no attention
    assert not any(forced for _, _, forced in calls)
    assert "<b>" in (tmp_path / "out" / "eigen.en.html").read_text(encoding="utf-8")
    calls.clear()
    assert translate(page_with(tmp_path), tmp_path / "g", "-g", GLOSSARY).exit_code == 0
    assert any(forced for _, _, forced in calls)  # "Wostotschny" replaced after decoding: that English is aligned by a forced pass


def page_with(tmp_path: Path) -> Path:
    source = tmp_path / "term.html"
    source.write_text("<p>Putin reiste nach <b>Wostotschny</b>.</p>\n", encoding="utf-8")
    return source


def test_elements_go_where_the_model_put_their_numbers(tmp_path, monkeypatch):
    """The wiring around the model: a model that copies the stand-ins (a real one does; the tiny test
    model drops numbers) gets its English back without them, each element where its number stood."""
    from dataclasses import replace as with_text

    from dolmetsch.engine.engine import Engine

    original = Engine.translate

    def copying(self, sentences, **options):
        found = original(self, sentences, **options)
        if options.get("target_prefixes"):
            return found
        english = {"Hinweise bitte an 7301 oder über das Formular unter 7302 senden.": "Please send notes to 7301 or via the form at 7302."}
        return [[with_text(h, text=english.get(s, h.text)) for h in hypotheses] for s, hypotheses in zip(sentences, found)]

    monkeypatch.setattr(Engine, "translate", copying)
    source = tmp_path / "adressen.html"
    source.write_text(ADDRESSES, encoding="utf-8")
    assert translate(source, tmp_path, "--no-glossary").exit_code == 0
    english = (tmp_path / "out" / "adressen.en.html").read_text(encoding="utf-8")
    # (the space the German had after the URL still comes with it: the strict xfail in test_markup_flow.py)
    assert "<p>Please send notes to redaktion@orf.at or via the form at https://orf.at/kontakt/" in english
    assert "7301" not in english and "7302" not in english
