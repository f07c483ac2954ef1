"""Document-level properties of parse → segments → render, on generated German-ish articles.

The generators build articles the way they arrive from a newsroom paste: a title, headings,
paragraphs (some hard-wrapped, some with one sentence per line), figure blocks with captions and
agency credits, abbreviations (z. B., Dr., ca.), numbers with periods (2., 1.500), „quotes“, blank
lines holding spaces or tabs, whitespace around the article, and CRLF or CR line ends in files.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dolmetsch.document.blocks import parse_blocks
from dolmetsch.document.model import Kind, normalise_space
from dolmetsch.document.reading import parse_text
from dolmetsch.sources import read_document

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse(text: str):
    return parse_blocks(text, source="x", name="x", encoding="utf_8")


# --- generators -------------------------------------------------------------------------------

LOWER = (
    "und der die das über für größere schöne heißen müssen während äußerst gemäß süße "
    "sprach traf besuchte betonte kündigte an mit dem den einer im am nach zwischen beiden "
    "staatlichen russischen österreichischen Präsident Bürgermeisterin Straße Maßnahme Größe "
    "Übung Öl Äpfel Zusammenarbeit Regierung Wien München Köln Gespräche Weltraumbahnhof"
).split()
STARTERS = (
    "Der Präsident|Die Regierung|Das Treffen|Kim|Putin|Die Bürgermeisterin|Österreichs Kanzler|"
    "Übrigens|Äußerst selten|Die Straße"
).split("|")
EXTRAS = [
    "z. B.", "u. a.", "Dr. Müller", "ca. 1.500 Euro", "am 2. Mai", "Nr. 5", "bzw.", "d. h.",
    "3,5 Prozent", "14.30 Uhr", "rund 1.200.000 Menschen", "im 2. Stock", "vgl. S. 12",
]
ENDS = [".", ".", ".", "!", "?", "…", ":", ".“", "!“", "?»"]
CREDITS = [
    "APA/AFP/Mikhail Metzel", "AP/Sputnik/Artem Geodakyan", "APA/AFP/AP/Vladimir Smirnov",
    "Foto: dpa", "Foto: dpa/Kay Nietfeld", "Bild: APA/Hans Klaus Techt", "© REUTERS/Lisi Niesner",
    "Quelle: Statistik Austria", "Grafik: ORF.at", "EPA/Filip Singer", "Fotos: Reuters/AP",
]
INLINE_SPACE = st.sampled_from(["", "", "", " ", "  ", "\t", " \t"])


@st.composite
def words(draw, min_size=1, max_size=8) -> str:
    pieces = draw(st.lists(st.one_of(st.sampled_from(LOWER), st.sampled_from(EXTRAS)), min_size=min_size, max_size=max_size))
    if pieces and draw(st.booleans()):
        start = draw(st.integers(0, len(pieces) - 1))
        end = draw(st.integers(start, len(pieces) - 1))
        pieces[start] = "„" + pieces[start]
        pieces[end] = pieces[end] + "“"
    return " ".join(pieces)


@st.composite
def sentence(draw) -> str:
    return f"{draw(st.sampled_from(STARTERS))} {draw(words())}{draw(st.sampled_from(ENDS))}"


@st.composite
def wrapped(draw, text: str) -> str:
    """Hard-wrap `text`: some spaces become a line break (possibly with spaces around it)."""
    out = []
    for char in text:
        if char == " " and draw(st.integers(0, 6)) == 0:
            out.append(draw(st.sampled_from(["\n", " \n", "\n  ", "\n\t"])))
        else:
            out.append(char)
    return "".join(out)


@st.composite
def paragraph(draw) -> str:
    text = " ".join(draw(st.lists(sentence(), min_size=1, max_size=4)))
    if draw(st.booleans()):
        text = draw(wrapped(text))
    return text


@st.composite
def line_per_sentence(draw) -> str:
    return "\n".join(draw(st.lists(sentence(), min_size=2, max_size=4)))


@st.composite
def heading(draw) -> str:
    return f"{draw(st.sampled_from(STARTERS))} {draw(st.lists(st.sampled_from(LOWER), max_size=5).map(' '.join))}".strip()


@st.composite
def figure(draw) -> str:
    captions = st.lists(st.one_of(heading(), sentence()), max_size=2)
    return "\n".join([*draw(captions), draw(st.sampled_from(CREDITS)), *draw(captions)])


@st.composite
def odd_block(draw) -> str:
    """Blocks the pipeline passes through: no letters at all, a lone number, punctuation."""
    return draw(st.sampled_from(["…", "2019", "***", "1.500", "2.", "–", "(1/3)", "12:30", "„…“"]))


BLOCK = st.one_of(
    paragraph(), paragraph(), line_per_sentence(), heading(), figure(), odd_block(),
    st.sampled_from(CREDITS),
)
BLANK_LINE = st.builds(
    lambda spaces, extra: f"\n{spaces}\n{extra}",
    st.text(alphabet=" \t", max_size=3),
    st.sampled_from(["", "", "\n", " ", "\t", "\n\n", "\n \t\n", "  "]),
)
AROUND = st.text(alphabet=" \t\n", max_size=4)


@st.composite
def article(draw) -> str:
    blocks = draw(st.lists(BLOCK, min_size=1, max_size=7))
    if draw(st.booleans()):
        blocks.insert(0, draw(heading()))
    text = blocks[0]
    for block in blocks[1:]:
        text += draw(INLINE_SPACE) + draw(BLANK_LINE) + block
    return draw(AROUND) + text + draw(AROUND)


# Arbitrary text as well: the rebuild promise does not depend on the text being an article.
WILD = st.lists(
    st.one_of(
        st.sampled_from(["\n", "\n\n", "\n \t\n", " ", "\t", "\u00a0", "\u2028", "\x0c", "\x85", "\u3000", "\u200b"]),
        st.sampled_from(EXTRAS + CREDITS + ENDS + ["Satz.", "Wort", "„", "“", "2.", "Dr.", "ß"]),
        st.text(max_size=6),
    ),
    min_size=1,
    max_size=20,
).map("".join)


# --- helpers ----------------------------------------------------------------------------------


class CountingMapping(Mapping):
    """A translation table that records every lookup, so tests see which keys render uses."""

    def __init__(self, table: dict):
        self.table = table
        self.lookups: list = []

    def __getitem__(self, key):
        self.lookups.append(key)
        return self.table[key]

    def __iter__(self) -> Iterator:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


def marker(i: int) -> str:
    return f"⟦{i}⟧"


def visible(text: str) -> str:
    return "".join(text.split())


def parts_of(document):
    return [(block, number, part) for block in document.blocks for number, part in enumerate(block.parts)]


# --- parse → render rebuilds the text exactly -------------------------------------------------


@SETTINGS
@given(article())
def test_render_without_translations_rebuilds_the_article(text):
    assert parse(text).render() == text


@SETTINGS
@given(WILD)
def test_render_without_translations_rebuilds_any_text(text):
    assert parse(text).render() == text


@SETTINGS
@given(
    text=article(),
    newline=st.sampled_from(["\n", "\r\n", "\r", "mixed"]),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-16"]),
    data=st.data(),
)
def test_file_round_trip_after_newline_normalisation(tmp_path_factory, text, newline, bom, encoding, data):
    if newline == "mixed":
        raw = "".join(data.draw(st.sampled_from(["\n", "\r\n", "\r"])) if c == "\n" else c for c in text)
    else:
        raw = text.replace("\n", newline)
    payload = raw.encode(encoding)
    if bom and encoding == "utf-8":
        payload = codecs.BOM_UTF8 + payload
    path = tmp_path_factory.mktemp("doc") / "artikel.txt"
    path.write_bytes(payload)
    document = read_document(str(path))
    # a CR drawn before an LF makes one CRLF line end, as in any file
    assert document.render() == raw.replace("\r\n", "\n").replace("\r", "\n")
    if newline != "mixed":
        assert document.render() == text
    assert document.name == "artikel"


@SETTINGS
@given(text=article(), newlines=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1), bom=st.booleans())
def test_parse_text_round_trip_after_newline_normalisation(text, newlines, bom):
    pieces = text.split("\n")
    raw = pieces[0] + "".join(newlines[i % len(newlines)] + piece for i, piece in enumerate(pieces[1:]))
    document = parse_text(("\ufeff" if bom else "") + raw, name="artikel")
    assert document.render() == raw.replace("\r\n", "\n").replace("\r", "\n")


# --- one translation slot per segment ---------------------------------------------------------


@SETTINGS
@given(st.one_of(article(), WILD))
def test_every_segment_has_exactly_one_slot_in_document_order(text):
    document = parse(text)
    segments = document.segments()
    keys = [s.key for s in segments]
    assert len(set(keys)) == len(keys)
    table = CountingMapping({key: marker(i) for i, key in enumerate(keys)})
    rendered = document.render(table)
    # every key looked up exactly once, in document order, and no key that segments() lacks
    assert table.lookups == keys
    positions = [rendered.find(marker(i)) for i in range(len(keys))]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions)
    assert all(rendered.count(marker(i)) == 1 for i in range(len(keys)))


@SETTINGS
@given(st.one_of(article(), WILD))
def test_segments_match_sentence_spans_and_lines(text):
    document = parse(text)
    expected = []
    for block, number, part in parts_of(document):
        for sentence in part.sentences:
            expected.append((block.number, number, part.kind, normalise_space(part.text[sentence.start : sentence.end])))
    segments = document.segments()
    assert [(s.block, s.part, s.kind, s.text) for s in segments] == expected
    assert [s.index for s in segments if s.block == 1] == list(range(1, 1 + sum(s.block == 1 for s in segments)))
    lines = text.split("\n")
    for segment in segments:
        assert segment.text  # a sentence always has visible text
        assert segment.text.split()[0] in lines[segment.line - 1], segment


# --- sentence spans cover all visible text; credits are never translated ----------------------


@SETTINGS
@given(st.one_of(article(), WILD))
def test_spans_cover_visible_text_of_translated_parts(text):
    document = parse(text)
    for _, _, part in parts_of(document):
        if not part.kind.translated:
            assert part.sentences == ()
            continue
        covered = "".join(part.text[s.start : s.end] for s in part.sentences)
        assert visible(covered) == visible(part.text)
        assert all("".join(gap.split()) == "" for gap in part.gaps())
        for s in part.sentences:
            assert not part.text[s.start].isspace() and not part.text[s.end - 1].isspace()


@SETTINGS
@given(st.one_of(article(), WILD))
def test_translating_each_sentence_as_itself_keeps_all_visible_text(text):
    document = parse(text)
    raw = {}
    for block, number, part in parts_of(document):
        index = sum(1 for s in document.segments() if s.block == block.number and s.part < number)
        for i, sentence in enumerate(part.sentences, start=1 + index):
            raw[(block.number, number, i)] = part.text[sentence.start : sentence.end]
    assert set(raw) == {s.key for s in document.segments()}
    assert visible(document.render(raw)) == visible(text)


@SETTINGS
@given(article())
def test_credits_pass_through_verbatim(text):
    document = parse(text)
    credit_parts = [part for _, _, part in parts_of(document) if part.kind is Kind.CREDIT]
    # every credit line of the source (alone or in a figure block) is a credit part
    source_credits = [line.strip() for line in text.split("\n") if line.strip() in CREDITS]
    assert [part.text.strip() for part in credit_parts] == source_credits
    assert all(s.kind is not Kind.CREDIT for s in document.segments())
    segments = document.segments()
    rendered = [line.strip() for line in document.render({s.key: marker(i) for i, s in enumerate(segments)}).split("\n")]
    assert [line for line in rendered if line in CREDITS] == source_credits


# --- titles and headings ----------------------------------------------------------------------


@SETTINGS
@given(article())
def test_at_most_one_title_and_it_is_the_first_heading_block_before_any_paragraph(text):
    document = parse(text)
    titles = [(block, part) for block, _, part in parts_of(document) if part.kind is Kind.TITLE]
    assert len(titles) <= 1
    seen_paragraph = False
    first = True
    for block in document.blocks:
        single_heading = len(block.parts) == 1 and block.parts[0].kind in (Kind.TITLE, Kind.HEADING)
        if single_heading:
            expected = Kind.TITLE if first and not seen_paragraph else Kind.HEADING
            assert block.parts[0].kind is expected, block
            first = False
        else:
            assert all(part.kind is not Kind.TITLE for part in block.parts)
        seen_paragraph = seen_paragraph or any(part.kind is Kind.PARAGRAPH for part in block.parts)


# --- line breaks inside blocks ----------------------------------------------------------------


@SETTINGS
@given(st.one_of(article(), WILD))
def test_line_wraps_inside_a_part_become_one_space(text):
    """Rendered English keeps the source's block separators and part boundaries, no other line break."""
    document = parse(text)
    segments = document.segments()
    rendered = document.render({s.key: marker(i) for i, s in enumerate(segments)})
    kept = document.leading + "".join(document.block_separators) + document.trailing
    kept_newlines = kept.count("\n") + sum(len(block.parts) - 1 for block in document.blocks)
    # a part's own leading whitespace is kept as is (it is outside every sentence)
    kept_newlines += sum(part.gaps()[0].count("\n") for _, _, part in parts_of(document) if part.sentences)
    kept_newlines += sum(
        part.text.count("\n") for _, _, part in parts_of(document) if not part.sentences or not part.kind.translated
    )
    assert rendered.count("\n") == kept_newlines


SIMPLE_STARTERS = ["Der Präsident", "Die Regierung", "Das Treffen", "Kim", "Putin", "Die Bürgermeisterin"]
SIMPLE_WORDS = "sprach traf besuchte betonte mit dem den im nach zwischen beiden über die Zusammenarbeit lange heute".split()


@st.composite
def simple_sentence(draw) -> str:
    body = " ".join(draw(st.lists(st.sampled_from(SIMPLE_WORDS), min_size=2, max_size=6)))
    return f"{draw(st.sampled_from(SIMPLE_STARTERS))} {body}{draw(st.sampled_from(['.', '!', '?']))}"


@settings(max_examples=30, deadline=None)
@given(st.lists(simple_sentence(), min_size=2, max_size=5))
def test_lines_that_each_end_a_sentence_become_parts(sentences):
    text = "\n".join(sentences)
    document = parse(text)
    assert [(p.kind, p.text) for p in document.blocks[0].parts] == [(Kind.PARAGRAPH, s) for s in sentences]
    english = document.render({s.key: s.text.upper() for s in document.segments()})
    assert english == text.upper()


@settings(max_examples=30, deadline=None)
@given(st.lists(simple_sentence(), min_size=1, max_size=4), st.data())
def test_hard_wrapped_paragraph_is_one_part_and_renders_on_one_line(sentences, data):
    text = " ".join(sentences)
    # wrap at least once inside a sentence (after its first word), anywhere else at will
    inner = [m.start() for m in re.finditer(" ", text) if text[m.start() - 1] not in ".!?"]
    must = data.draw(st.sampled_from(inner))
    chars = list(text)
    for i, char in enumerate(text):
        if char == " " and (i == must or data.draw(st.integers(0, 3)) == 0):
            chars[i] = "\n"
    wrapped_text = "".join(chars)
    document = parse(wrapped_text)
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH]
    assert [s.text for s in document.segments()] == sentences
    segments = document.segments()
    english = document.render({s.key: marker(i) for i, s in enumerate(segments)})
    assert english == " ".join(marker(i) for i in range(len(segments)))

