"""Reading and segmenting German articles: encodings, blocks, kinds, exact rebuild, bad input."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE
from dolmetsch.document.blocks import is_credit
from dolmetsch.document.model import Kind
from dolmetsch.document.reading import decode_text
from dolmetsch.sources import read_document
from dolmetsch.errors import InputError

ARTICLE = EXAMPLE.read_text(encoding="utf-8")


def kinds(document):
    return [(block.number, [p.kind for p in block.parts]) for block in document.blocks]


def test_article_blocks_match_blank_line_structure():
    document = read_document(str(EXAMPLE))
    assert len(document.blocks) == len([b for b in ARTICLE.split("\n\n") if b.strip()])
    assert document.render() == ARTICLE
    assert document.name == "putin-kim"


def test_article_kinds():
    document = read_document(str(EXAMPLE))
    by_block = dict(kinds(document))
    assert by_block[1] == [Kind.CAPTION, Kind.CREDIT, Kind.CAPTION]
    assert by_block[2] == [Kind.TITLE]
    assert by_block[3] == [Kind.PARAGRAPH]
    assert by_block[6] == [Kind.HEADING]  # "Treffen von Kim und Putin"
    credits = [p.text for b in document.blocks for p in b.parts if p.kind is Kind.CREDIT]
    assert credits == [
        "APA/AFP/Mikhail Metzel",
        "AP/Sputnik/Artem Geodakyan",
        "APA/AFP/AP/Vladimir Smirnov",
        "AP/Yuri Kadobnov",
    ]


def test_segments_cover_every_translated_part_and_skip_credits():
    document = read_document(str(EXAMPLE))
    segments = document.segments()
    assert all("APA/AFP" not in s.text for s in segments)
    assert segments[0].text.startswith("Russischer Präsident Wladimir Putin")
    assert segments[0].line == 1
    # each segment's line really holds its text
    lines = ARTICLE.split("\n")
    for segment in segments:
        assert segment.text.split()[0] in lines[segment.line - 1]
    rebuilt = document.render({s.key: f"<{s.text}>" for s in segments})
    assert rebuilt.count("\n\n") == ARTICLE.count("\n\n")
    assert "APA/AFP/Mikhail Metzel" in rebuilt


@pytest.mark.parametrize(
    "line, expected",
    [
        ("APA/AFP/Mikhail Metzel", True),
        ("AP/Sputnik/Artem Geodakyan", True),
        ("APA/AFP/AP/Vladimir Smirnov", True),
        ("Foto: dpa/Kay Nietfeld", True),
        ("USA: Russland benötigt Waffennachschub", False),
        ("Treffen in Russland", False),
        ("Kim: „Entscheidungen von Putin immer unterstützen“", False),
        ("Die Energie- und Nahrungsmittelhilfe kam per Bahn/Schiff.", False),
    ],
)
def test_credit_detection(line, expected):
    assert is_credit(line) is expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_encodings_decode_to_the_same_text(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode(encoding, errors="replace" if encoding == "latin-1" else "strict"))
    document = read_document(str(path))
    expected = ARTICLE if encoding != "latin-1" else ARTICLE.encode("latin-1", errors="replace").decode("latin-1")
    assert document.render() == expected
    assert "Präsident" in document.render() and "\r" not in document.render()


def test_short_cp1252_text_keeps_umlauts():
    text, encoding = decode_text("Größe, Übung und Café à la carte – süß.".encode("cp1252"), "x.txt")
    assert text == "Größe, Übung und Café à la carte – süß."
    assert encoding == "cp1252"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "empty"),
        (b"  \n\n \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (bytes(range(256)) * 8, "binary"),
    ],
)
def test_bad_files_name_the_file_and_problem(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_document(str(path))
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="directory"):
        read_document(str(tmp_path))


def test_wrapped_paragraph_is_one_part_and_rebuilds():
    text = "Putin traf Kim am Mittwoch.\nEr sprach über die\nZusammenarbeit.\n\nZweiter Absatz hier, mit Punkt."
    from dolmetsch.document.blocks import parse_blocks

    document = parse_blocks(text, source="x", name="x", encoding="utf_8")
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH]
    segments = document.segments()
    assert segments[1].text == "Er sprach über die Zusammenarbeit."
    assert segments[1].line == 2
    assert document.render() == text
    english = document.render({s.key: s.text.upper() for s in document.segments()})
    assert english.split("\n\n")[0] == "PUTIN TRAF KIM AM MITTWOCH. ER SPRACH ÜBER DIE ZUSAMMENARBEIT."


def test_lines_ending_sentences_are_paragraphs_of_their_own():
    from dolmetsch.document.blocks import parse_blocks

    text = "Putin traf Kim am Mittwoch.\nKim besuchte Russland.\nDie Gespräche dauerten lange."
    document = parse_blocks(text, source="x", name="x", encoding="utf_8")
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH] * 3
    assert [s.line for s in document.segments()] == [1, 2, 3]
    english = document.render({s.key: s.text.upper() for s in document.segments()})
    assert english == text.upper()


def test_lines_of_their_own_keep_indentation_and_headings():
    from dolmetsch.document.blocks import parse_blocks

    text = "Putin traf Kim.\n  Kim hörte zu.\nKim erhielt Autogrammkarten"
    document = parse_blocks(text, source="x", name="x", encoding="utf_8")
    assert [(p.kind, p.text) for p in document.blocks[0].parts] == [
        (Kind.PARAGRAPH, "Putin traf Kim."),
        (Kind.PARAGRAPH, "  Kim hörte zu."),
        (Kind.HEADING, "Kim erhielt Autogrammkarten"),
    ]
    segments = document.segments()
    assert document.render({s.key: f"<{i}>" for i, s in enumerate(segments)}) == "<0>\n  <1>\n<2>"


@pytest.mark.parametrize(
    "text",
    [
        "Der Besuch des Ministers Dr.\nMüller in Moskau dauerte nur zwei Tage.",
        "Die Hilfe betrug 3 Mio.\nEuro im Jahr.",
        "Das Treffen fand am 12.\nSeptember statt.",
    ],
)
def test_line_breaks_after_abbreviations_stay_inside_the_sentence(text):
    from dolmetsch.document.blocks import parse_blocks

    document = parse_blocks(text, source="x", name="x", encoding="utf_8")
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH]
    assert [s.text for s in document.segments()] == [" ".join(text.split())]


def parse(text):
    from dolmetsch.document.blocks import parse_blocks

    return parse_blocks(text, source="x", name="x", encoding="utf_8")


def test_title_only_once_later_heading_blocks_are_headings():
    text = "Putin und Kim betonten Zusammenarbeit\n\nTreffen in Russland\n\nPutin traf Kim.\n\nKim erhielt Autogrammkarten"
    document = parse(text)
    assert [[p.kind for p in b.parts] for b in document.blocks] == [[Kind.TITLE], [Kind.HEADING], [Kind.PARAGRAPH], [Kind.HEADING]]


def test_no_title_after_the_first_paragraph():
    document = parse("Putin traf Kim am Mittwoch.\n\nKim erhielt Autogrammkarten\n\nEr bedankte sich.")
    assert [[p.kind for p in b.parts] for b in document.blocks] == [[Kind.PARAGRAPH], [Kind.HEADING], [Kind.PARAGRAPH]]


def test_title_may_follow_a_figure_block():
    document = parse("Kim Jong Un und Wladimir Putin\nAP/Yuri Kadobnov\n\nTreffen in Russland\n\nPutin traf Kim.")
    assert [[p.kind for p in b.parts] for b in document.blocks] == [[Kind.CAPTION, Kind.CREDIT], [Kind.TITLE], [Kind.PARAGRAPH]]


def test_credits_alone_or_in_figures_pass_through_verbatim():
    text = (
        "Treffen in Russland\n\nFoto: dpa\n\nPutin traf Kim.\n\nAPA/AFP/Mikhail Metzel  \n\n"
        "Kim Jong Un und Wladimir Putin\n© REUTERS/Lisi Niesner\nAm Mittwoch trafen sie sich"
    )
    document = parse(text)
    credits = [p.text for b in document.blocks for p in b.parts if p.kind is Kind.CREDIT]
    assert credits == ["Foto: dpa", "APA/AFP/Mikhail Metzel  ", "© REUTERS/Lisi Niesner"]
    segments = document.segments()
    assert [s.text for s in segments] == [
        "Treffen in Russland", "Putin traf Kim.", "Kim Jong Un und Wladimir Putin", "Am Mittwoch trafen sie sich"
    ]
    english = document.render({s.key: f"EN{i}" for i, s in enumerate(segments)})
    assert english == "EN0\n\nFoto: dpa\n\nEN1\n\nAPA/AFP/Mikhail Metzel  \n\nEN2\n© REUTERS/Lisi Niesner\nEN3"


def test_blank_lines_holding_spaces_or_tabs_separate_blocks():
    text = "Putin traf Kim.\n \t \nKim erhielt Autogrammkarten.\n\t\n\n  Er bedankte sich."
    document = parse(text)
    assert [b.parts[0].text for b in document.blocks] == [
        "Putin traf Kim.", "Kim erhielt Autogrammkarten.", "Er bedankte sich."
    ]
    assert [b.line for b in document.blocks] == [1, 3, 6]
    assert document.render() == text
    english = document.render({s.key: s.text.upper() for s in document.segments()})
    assert english == text.upper()


def test_wrap_with_spaces_around_the_line_break_becomes_one_space():
    text = "Putin traf Kim am Mittwoch.  \n  Er sprach über die\n\tZusammenarbeit. Kim hörte zu."
    document = parse(text)
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH]
    segments = document.segments()
    assert [s.text for s in segments] == [
        "Putin traf Kim am Mittwoch.", "Er sprach über die Zusammenarbeit.", "Kim hörte zu."
    ]
    assert [s.line for s in segments] == [1, 2, 3]
    assert document.render({s.key: f"<{i}>" for i, s in enumerate(segments)}) == "<0> <1> <2>"


def test_segments_without_a_letter_are_still_segments():
    document = parse("Treffen in Russland\n\n2019\n\n…\n\nPutin traf Kim.\n\n***")
    segments = document.segments()
    assert [s.text for s in segments] == ["Treffen in Russland", "2019", "…", "Putin traf Kim.", "***"]
    with pytest.raises(KeyError):
        document.render({s.key: s.text for s in segments if s.text not in ("…", "2019")})


def test_cp1252_sentence_is_not_read_as_mac_roman(tmp_path):
    text = "Der Präsident hat gemäß Satzung entschieden."
    path = tmp_path / "kurz.txt"
    path.write_bytes(text.encode("cp1252"))
    document = read_document(str(path))
    assert document.render() == text
    assert document.encoding == "cp1252"


def test_acronym_pair_in_a_heading_is_not_a_credit():
    document = parse("Putin traf Kim.\n\nCDU/CSU legt in Umfragen zu\n\nDie Union gewinnt.")
    assert [p.kind for p in document.blocks[1].parts] == [Kind.HEADING]
    assert "CDU/CSU legt in Umfragen zu" in [s.text for s in document.segments()]


def test_wrapped_line_starting_with_an_acronym_pair_stays_in_its_paragraph():
    text = "Die Regierung reagierte am Montag sofort. Auch\nEU/USA drohen mit neuen Sanktionen\ngegen Moskau, hieß es am Abend."
    document = parse(text)
    assert [p.kind for p in document.blocks[0].parts] == [Kind.PARAGRAPH]
    assert [s.text for s in document.segments()] == [
        "Die Regierung reagierte am Montag sofort.",
        "Auch EU/USA drohen mit neuen Sanktionen gegen Moskau, hieß es am Abend.",
    ]
