"""Projection of inline markup through word alignment: hand-made alignments and properties."""

from __future__ import annotations

import itertools

import numpy
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dolmetsch.document.inline import MarkedText, Span, Tag
from dolmetsch.markup.placeholders import from_placeholders, to_placeholders
from dolmetsch.markup.project import Alignment, project, word_ranges


def german(placeholders: str, voids: tuple[int, ...] = ()) -> MarkedText:
    """A German sentence written with placeholders; element n is `<tn>`, void where listed."""
    numbers = range(1, 10)
    tags = tuple(Tag(n, f"<t{n}>", "" if n in voids else f"</t{n}>", void=n in voids, name=f"t{n}") for n in numbers)
    used = tuple(t for t in tags if f"<{t.id}" in placeholders)
    scaffold = MarkedText("", tuple(Span(t.id, 0, 0) for t in used), used)
    return from_placeholders(placeholders, scaffold)


def placed(source: MarkedText, english: str, pairs, voids=()) -> tuple[str, tuple[int, ...]]:
    """Project with word-index pairs (German word, English word); the English in placeholders, and the fallbacks."""
    alignment = Alignment.from_pairs(word_ranges(source.text), word_ranges(english), pairs)
    projection = project(source, english, alignment)
    assert projection.marked.problems() == []
    assert projection.marked.tags == source.tags
    return to_placeholders(projection.marked), projection.fallbacks


def monotone(n: int):
    return [(i, i) for i in range(n)]


def test_monotone():
    source = german("Kim <1>lobte</1> die <2>Truppen</2>.")
    assert placed(source, "Kim praised the troops.", monotone(4)) == ("Kim <1>praised</1> the <2>troops</2>.", ())


def test_verb_final_german():
    source = german("Putin hat Kim <1>gelobt</1> und die <2>Truppen</2> besucht.")
    english = "Putin praised Kim and visited the troops."
    # Putin hat Kim gelobt und die Truppen besucht / Putin praised Kim and visited the troops
    pairs = [(0, 0), (1, 1), (3, 1), (2, 2), (4, 3), (7, 4), (5, 5), (6, 6)]
    assert placed(source, english, pairs) == ("Putin <1>praised</1> Kim and visited the <2>troops</2>.", ())


def test_one_german_word_to_two_english_words():
    source = german("Die <1>Pressekonferenz</1> begann.")
    pairs = [(0, 0), (1, 1), (1, 2), (2, 3)]
    assert placed(source, "The press conference began.", pairs) == ("The <1>press conference</1> began.", ())


def test_glossary_term_in_a_link_keeps_both_english_words_in_the_link():
    source = german("Er traf den <1>Machthaber</1> in Pjöngjang.")
    english = "He met the supreme leader in Pyongyang."
    pairs = [(0, 0), (1, 1), (2, 2), (3, 3), (3, 4), (4, 5), (5, 6)]
    assert placed(source, english, pairs) == ("He met the <1>supreme leader</1> in Pyongyang.", ())


def test_unaligned_english_words_inside_an_element():
    source = german("<1>Kim kam</1> gestern.")
    pairs = [(0, 0), (1, 2), (2, 3)]  # "did" aligns to nothing
    assert placed(source, "Kim did come yesterday.", pairs) == ("<1>Kim did come</1> yesterday.", ())


def test_element_without_any_aligned_word_falls_back_to_its_relative_position():
    source = german("Er sagte <1>das</1> gestern.")
    pairs = [(0, 0), (1, 1), (3, 2)]  # "das" aligns to nothing
    text, fallbacks = placed(source, "He said yesterday.", pairs)
    assert fallbacks == (1,)
    assert text in ("He <1>said</1> yesterday.", "He said <1>yesterday</1>.")


def test_scattered_alignment_falls_back_to_the_heaviest_run():
    source = german("<1>Putin</1> traf Kim in Moskau.")
    english = "Putin met Kim in Moscow."
    weights = numpy.zeros((5, 5))
    for t, s in enumerate(range(5)):
        weights[t, s] = 1.0
    weights[0] = [0.9, 0.1, 0, 0, 0]
    weights[4] = [0.4, 0, 0, 0, 0.6]  # attention noise: Moscow also looks at Putin
    alignment = Alignment.from_attention(word_ranges(source.text), word_ranges(english), weights)
    projection = project(source, english, alignment)
    assert to_placeholders(projection.marked) == "<1>Putin</1> met Kim in Moscow."
    assert projection.fallbacks == (1,)


def test_crossing_elements_are_cut_to_nest():
    source = german("<1>Anna Bernd</1> <2>Clara Dora</2>")
    english = "Anna Clara Bernd Dora"  # wanted: <1> over Anna…Bernd, <2> over Clara…Dora
    pairs = [(0, 0), (1, 2), (2, 1), (3, 3)]
    assert placed(source, english, pairs) == ("<1>Anna Clara Bernd</1> <2>Dora</2>", ())


def test_scattered_sibling_falls_back():
    source = german("<1>Anna Bernd</1> und <2>Clara Dora</2>")
    english = "Anna Clara Bernd and Dora"
    pairs = [(0, 0), (1, 2), (2, 3), (3, 1), (4, 4)]
    text, fallbacks = placed(source, english, pairs)
    assert text == "<1>Anna <2>Clara</2> Bernd</1> and Dora"
    assert fallbacks == (2,)


def test_nested_elements_stay_nested():
    source = german("Der <1>Machthaber <2>Kim</2></1> sprach.")
    assert placed(source, "The leader Kim spoke.", monotone(4)) == ("The <1>leader <2>Kim</2></1> spoke.", ())


def test_a_child_aligned_outside_its_parent_is_kept_inside_and_reported():
    source = german("<1>Die <2>Truppen</2></1> lobte Kim.")
    english = "The forces praised Kim troops."
    pairs = [(0, 0), (1, 4), (2, 2), (3, 3)]
    # <1> is scattered over The…troops: it keeps "The"; <2> aligns outside it and is fitted in
    assert placed(source, english, pairs) == ("<1><2>The</2></1> forces praised Kim troops.", (1, 2))


def test_void_elements_keep_their_relative_position():
    pairs = [(0, 0), (1, 1), (2, 2), (3, 4), (4, 3)]
    source = german("Kim kam.<1/> Dann ging er.", voids=(1,))
    assert placed(source, "Kim came. Then he left.", pairs)[0] == "Kim came.<1/> Then he left."
    assert placed(german("<1/>Kim kam", voids=(1,)), "Kim came", monotone(2))[0] == "<1/>Kim came"
    assert placed(german("Kim kam<1/>", voids=(1,)), "Kim came.", monotone(2))[0] == "Kim came.<1/>"
    # after the English word aligned to the German word before it
    source = german("Er hat gestern<1/> gelacht.", voids=(1,))
    assert placed(source, "He laughed yesterday.", [(0, 0), (1, 1), (3, 1), (2, 2)])[0] == "He laughed yesterday<1/>."


def test_empty_element_stays_empty():
    source = german("<1></1>Kim kam.")
    assert placed(source, "Kim came.", monotone(2))[0] == "<1></1>Kim came."


def test_edges_take_punctuation_only_where_the_german_did():
    assert placed(german("<1>Hallo!</1> sagte Kim."), "Hello! said Kim.", monotone(3))[0] == "<1>Hello!</1> said Kim."
    assert placed(german("Kim <1>kam</1>."), "Kim arrived.", monotone(2))[0] == "Kim <1>arrived</1>."
    assert placed(german("Er sagte <1>„Nein“</1>."), 'He said "No".', monotone(3))[0] == 'He said <1>"No"</1>.'
    assert placed(german("Er sagte <1>„Nein“</1>."), "He said no.", monotone(3))[0] == "He said <1>no</1>."


def test_attention_over_subword_pieces():
    source = german("Die <1>Truppen</1> jubelten.")
    english = "The troops cheered."
    # SentencePiece-like pieces: ▁Die ▁Trupp en ▁jubel ten . </s>
    source_pieces = [(0, 3), (3, 9), (9, 11), (11, 17), (17, 20), (20, 21)]
    target_pieces = [(0, 3), (3, 10), (10, 18), (18, 19)]  # ▁The ▁troops ▁cheered .
    attention = numpy.array(
        [
            [0.8, 0.1, 0.0, 0.0, 0.0, 0.0, 0.1],
            [0.1, 0.3, 0.5, 0.0, 0.0, 0.0, 0.1],  # "troops" looks at "en" most: still the word Truppen
            [0.0, 0.1, 0.0, 0.4, 0.4, 0.0, 0.1],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.1],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],  # </s>
        ],
        dtype=numpy.float32,
    )
    projection = project(source, english, Alignment.from_attention(source_pieces, target_pieces, attention))
    assert to_placeholders(projection.marked) == "The <1>troops</1> cheered."
    assert projection.fallbacks == ()


def test_english_without_words():
    source = german("Kim <1>kam</1>.<2/>", voids=(2,))
    projection = project(source, "—", Alignment.from_pairs(word_ranges(source.text), [], []))
    assert projection.marked.problems() == []
    assert to_placeholders(projection.marked) == "<1>—</1><2/>"
    assert projection.fallbacks == (1,)


# Properties over generated sentences.

WORDS = ["Kim", "lobte", "die", "Truppen", "Pjöngjang", "Kim-Jong", "1953", "ä"]
GAPS = [" ", ", ", " „", "“ ", ". ", " (", ") ", " – "]


@st.composite
def sentences(draw) -> MarkedText:
    """German-like text with well-nested elements whose edges sit at words or take in the gap next to them."""
    count = draw(st.integers(1, 7))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=count, max_size=count))
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=count + 1, max_size=count + 1))
    gaps[0] = draw(st.sampled_from(["", "„", "("]))
    gaps[-1] = draw(st.sampled_from(["", ".", "!“", ". "]))
    text = gaps[0] + "".join(w + g for w, g in zip(words, gaps[1:]))
    bounds = word_ranges(text)
    spans, tags, stack = [], [], []
    for i, (start, end) in enumerate(bounds):
        before = bounds[i - 1][1] if i else 0
        after = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        for op in draw(st.lists(st.sampled_from(["open", "open wide", "void", "void early", "empty"]), max_size=3)):
            number = len(tags) + 1
            void = op.startswith("void")
            tags.append(Tag(number, f"<x{number}>", "" if void else f"</x{number}>", void=void))
            if op.startswith("open"):
                stack.append((number, before if op == "open wide" else start))
            else:
                spans.append(Span(number, before if op == "void early" else start, before if op == "void early" else start))
        for _ in range(draw(st.integers(0, len(stack)))):
            number, opened = stack.pop()
            spans.append(Span(number, opened, after if draw(st.booleans()) else end))
    for number, opened in reversed(stack):
        spans.append(Span(number, opened, len(text)))
    marked = MarkedText(text, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.id))), tuple(tags))
    assume(marked.problems() == [])
    return marked


@settings(max_examples=400, deadline=None)
@given(sentences())
def test_identity_alignment_gives_the_spans_back(source):
    words = word_ranges(source.text)
    projection = project(source, source.text, Alignment.from_pairs(words, words, monotone(len(words))))
    assert projection.marked == source
    assert projection.fallbacks == ()


def _spaces_put_in(marked, english):
    """Whether the projected English is `english` with spaces put in, each after a word and right
    before a void element (as `project` puts them), and nothing else changed."""
    text = marked.text
    voids = {s.start for s in marked.spans if marked.tag(s.id).void}
    candidates = [i for i in range(1, len(text)) if text[i] == " " and i + 1 in voids and text[i - 1].isalnum()]
    return any(
        "".join(char for i, char in enumerate(text) if i not in taken) == english
        for size in range(len(candidates) + 1)
        for taken in itertools.combinations(candidates, size)
    )


@settings(max_examples=400, deadline=None)
@given(sentences(), st.lists(st.sampled_from(["Kim", "praised", "the", "troops", "Pyongyang", ",", "—"]), max_size=9), st.data())
def test_any_alignment_gives_valid_markup(source, english_words, data):
    english = " ".join(english_words)
    source_words, target_words = word_ranges(source.text), word_ranges(english)
    if data.draw(st.booleans()):
        links = st.tuples(st.integers(0, len(source_words) - 1), st.integers(0, max(len(target_words) - 1, 0)))
        pairs = data.draw(st.lists(links)) if target_words else []
        alignment = Alignment.from_pairs(source_words, target_words, pairs)
    else:
        cells = st.floats(0, 1, allow_nan=False) | st.just(0.0)
        row = st.lists(cells, min_size=len(source_words), max_size=len(source_words))
        weights = data.draw(st.lists(row, min_size=len(target_words), max_size=len(target_words)))
        alignment = Alignment.from_attention(source_words, target_words, weights)
    projection = project(source, english, alignment)
    marked = projection.marked
    assert marked.problems() == []  # each element once, sorted, within the text, well nested, voids at a point
    assert _spaces_put_in(marked, english) and marked.tags == source.tags
    assert {s.id for s in marked.spans} == {t.id for t in source.tags}
    assert set(projection.fallbacks) <= {t.id for t in source.tags}
    given_spans = {s.id: s for s in source.spans}
    for span in marked.spans:
        if given_spans[span.id].start != given_spans[span.id].end and english:
            assert span.start < span.end, f"element {span.id} lost its text"
        if span.start < span.end:
            assert not any(a < span.start < b or a < span.end < b for a, b in word_ranges(marked.text)), "a word was cut"
            assert marked.text[span.start : span.end].strip(), "an element holds only space"


def test_void_stays_near_its_german_parent():
    source = german("Gestern <1>lachte<2/> Kim</1>.", voids=(2,))
    english = "Kim laughed yesterday."
    pairs = [(0, 2), (2, 0)]  # "lachte" aligns to nothing: the void's anchor falls back to "Gestern"
    assert placed(source, english, pairs) == ("<1>Kim</1><2/> laughed yesterday.", (2,))


@pytest.mark.parametrize(
    ("placeholders", "english", "pairs", "expected"),
    [
        ("Das sagte die Agentur <1/>, nicht Kim.", "So said the agency, not Kim.", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)],
         "So said the agency <1/>, not Kim."),
        ("Das meldete die Agentur <1/>.", "This was reported by the agency.", [(0, 0), (1, 2), (2, 4), (3, 5)],
         "This was reported by the agency <1/>."),
        ("Mehr unter <1/>", "More at", [(0, 0), (1, 1)], "More at <1/>"),
        ("Mehr unter<1/>.", "More at.", [(0, 0), (1, 1)], "More at<1/>."),
    ],
)
def test_a_void_element_gets_the_space_the_german_has_before_it(placeholders, english, pairs, expected):
    """An address or a kept name is not run into the English word before it where the German parts them."""
    source = german(placeholders, voids=(1, 2))
    alignment = Alignment.from_pairs(word_ranges(source.text), word_ranges(english), pairs)
    assert to_placeholders(project(source, english, alignment).marked) == expected
