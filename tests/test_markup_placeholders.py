"""Placeholders in PO files: the syntax, its escape, and every way a translation can break it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dolmetsch.document.inline import MarkedText, Span, Tag, render
from dolmetsch.markup.placeholders import PLACEHOLDER, MarkupError, from_placeholders, markup_problems, to_placeholders

A = Tag(1, '<a href="/kim" title="Kim">', "</a>", name="a")
B = Tag(2, "<b>", "</b>", name="b")
BR = Tag(3, "<br>", void=True, name="br")
SENTENCE = MarkedText("Kim pries die Truppen.", (Span(1, 4, 9), Span(2, 14, 21), Span(3, 22, 22)), (A, B, BR))


def test_syntax():
    assert to_placeholders(SENTENCE) == "Kim <1>pries</1> die <2>Truppen</2>.<3/>"
    assert render(SENTENCE) == 'Kim <a href="/kim" title="Kim">pries</a> die <b>Truppen</b>.<br>'


def test_nested_empty_and_meeting_elements():
    tags = (Tag(1, "<i>", "</i>"), Tag(2, "<b>", "</b>"), Tag(3, "<br>", void=True), Tag(4, '<a id="x">', "</a>"))
    marked = MarkedText("Kim kam", (Span(1, 0, 7), Span(2, 0, 3), Span(3, 3, 3), Span(4, 7, 7)), tags)
    assert to_placeholders(marked) == "<1><2>Kim</2><3/> kam</1><4></4>"
    assert from_placeholders("<1><2>Kim</2><3/> kam</1><4></4>", marked) == marked


def test_plain_text_stays_readable():
    for text in ["a < b", "3 <4 und 5 > 2", "<Kim>", "C:\\Temp\\", "x <= y", "\\<b>", "</p>"]:
        marked = MarkedText(text)
        assert to_placeholders(marked) == text
        assert from_placeholders(text, marked) == marked


@pytest.mark.parametrize(
    "text, written",
    [
        ("Text <1> ohne Markup", "Text \\<1> ohne Markup"),
        ("</2> und <3/>", "\\</2> und \\<3/>"),
        ("Pfad C:\\<1>", "Pfad C:\\\\\\<1>"),
        ("ein \\ allein", "ein \\ allein"),
    ],
)
def test_escape_only_where_it_would_read_as_a_placeholder(text, written):
    marked = MarkedText(text)
    assert to_placeholders(marked) == written
    assert from_placeholders(written, marked) == marked


def test_backslashes_before_a_placeholder_are_doubled():
    marked = MarkedText("C:\\", (Span(1, 3, 3),), (Tag(1, "<br>", void=True),))
    assert to_placeholders(marked) == "C:\\\\<1/>"
    assert from_placeholders("C:\\\\<1/>", marked) == marked
    assert markup_problems("C:\\<1/>", marked) == ["placeholder <1> is missing"]  # one backslash: text


def test_reviewer_moves_a_placeholder():
    moved = from_placeholders("Kim <2>lobte</2> die <1>Truppen</1>.<3/>", SENTENCE)
    assert moved.text == "Kim lobte die Truppen."
    assert moved.spans == (Span(2, 4, 9), Span(1, 14, 21), Span(3, 22, 22))
    assert moved.tags == SENTENCE.tags
    assert render(moved) == 'Kim <b>lobte</b> die <a href="/kim" title="Kim">Truppen</a>.<br>'


@pytest.mark.parametrize(
    "translation, problems",
    [
        ("Kim <1>praised</1> the troops.<3/>", ["placeholder <2> is missing"]),
        ("Kim praised the troops.", ["placeholder <1> is missing", "placeholder <2> is missing", "placeholder <3> is missing"]),
        ("Kim <1>praised</1> the <2>troops</2>.<3/><4/>", ["placeholder <4> is not in the German"]),
        ("<1>Kim</1> <1>praised</1> the <2>troops</2>.<3/>", ["placeholder <1> appears twice"]),
        ("Kim <1>praised</1> the <2>troops</2>.<3/><3/>", ["placeholder <3> appears twice"]),
        ("Kim <1>praised <2>the</1> troops</2>.<3/>", ["<1> is closed before <2>"]),
        ("Kim <1>praised the <2>troops</2>.<3/>", ["<1> is never closed"]),
        ("Kim </1>praised<1> the <2>troops</2>.<3/>", ["</1> comes before <1>"]),
        ("Kim <1>praised</1></1> the <2>troops</2>.<3/>", ["</1> has no matching <1>"]),
        ("Kim <1>praised</1> the <2>troops</2>.<3></3>", ["<3> is a single element: write <3/>"]),
        ("Kim <1/>praised the <2>troops</2>.<3/>", ["<1> encloses text: write <1>…</1>, not <1/>"]),
        ("Kim <1></1>praised the <2>troops</2>.<3/>", ["<1> encloses no text"]),
        ("Kim <1>praised</1> the <2>troops</2>.</3/>", ["</3/> is malformed: write <3/> or </3>", "placeholder <3> is missing"]),
    ],
)
def test_each_kind_of_placeholder_error(translation, problems):
    assert markup_problems(translation, SENTENCE) == problems
    with pytest.raises(MarkupError) as caught:
        from_placeholders(translation, SENTENCE)
    assert caught.value.problems == problems


def test_every_problem_is_listed_at_once():
    problems = markup_problems("<2>Kim <1>praised</2> the troops.<5/>", SENTENCE)
    assert problems == [
        "<2> is closed before <1>",
        "placeholder <5> is not in the German",
        "<1> is never closed",
        "placeholder <3> is missing",
    ]


def test_an_escaped_placeholder_counts_as_text():
    assert markup_problems("Kim \\<1>praised\\</1> the <2>troops</2>.<3/>", SENTENCE) == ["placeholder <1> is missing"]


# Any text, any well-nested elements.
TEXT = st.text(alphabet="ab <>/\\1234\n", max_size=12)


@st.composite
def marked_texts(draw) -> MarkedText:
    """Text with well-nested elements, built as a reader would: numbered in opening order."""
    operations = draw(st.lists(st.one_of(TEXT, st.sampled_from(["open", "close", "void", "empty"])), max_size=14))
    text, spans, tags, stack = "", [], [], []
    for op in operations + ["close"] * 14:
        if op in ("open", "void", "empty"):
            number = len(tags) + 1
            tags.append(Tag(number, f"<x{number}>", "" if op == "void" else f"</x{number}>", void=op == "void"))
            if op == "open":
                stack.append((number, len(text)))
            else:
                spans.append(Span(number, len(text), len(text)))
        elif op == "close":
            if stack:
                number, start = stack.pop()
                spans.append(Span(number, start, len(text)))
        else:
            text += op
    return MarkedText(text, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.id))), tuple(tags))


@settings(max_examples=400, deadline=None)
@given(marked_texts())
def test_round_trip(marked):
    assert marked.problems() == []
    written = to_placeholders(marked)
    assert markup_problems(written, marked) == []
    assert from_placeholders(written, marked) == marked


@settings(max_examples=300, deadline=None)
@given(marked_texts(), st.data())
def test_dropping_or_doubling_a_placeholder_is_caught(marked, data):
    written = to_placeholders(marked)
    found = [m for m in PLACEHOLDER.finditer(written) if _is_markup(written, m.start())]
    if not found:
        return
    m = data.draw(st.sampled_from(found))
    dropped = written[: m.start()] + written[m.end() :]
    doubled = written[: m.end()] + m.group() + written[m.end() :]
    assert markup_problems(dropped, marked)
    assert markup_problems(doubled, marked)


def _is_markup(written: str, at: int) -> bool:
    """A `<` preceded by an even run of backslashes is markup."""
    run = len(written[:at]) - len(written[:at].rstrip("\\"))
    return run % 2 == 0
