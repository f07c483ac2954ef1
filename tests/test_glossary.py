"""The glossary: TSV format, lint, TBX exchange, inflection-aware matching and output checks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dolmetsch.cli import app
from dolmetsch.errors import InputError
from dolmetsch.glossary import Entry, Glossary, load_glossary
from dolmetsch.glossary.lint import ERROR, WARNING, check
from dolmetsch.glossary.constraints import (
    FORBIDDEN_VARIANT,
    MISSING_RENDERING,
    forbidden_found,
    rendering_present,
    violations,
)
from dolmetsch.glossary.matcher import GlossaryMatcher, word_keys
from dolmetsch.glossary.tbx import TBX_NAMESPACE, XML_LANG, parse_tbx, to_tbx
from dolmetsch.glossary.tsv import format_tsv, read_tsv, write_tsv

ROOT = Path(__file__).resolve().parents[1]
NEWS_GLOSSARY = ROOT / "glossary" / "news.de-en.tsv"
ARTICLE = ROOT / "examples" / "putin-kim.txt"
HEADER = "de\ten\tkind\tnote\tstatus\tforbidden\tmatch\n"
NS = {"t": TBX_NAMESPACE}


def write(tmp_path: Path, text: str, name: str = "g.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def news() -> Glossary:
    return load_glossary(NEWS_GLOSSARY)


@pytest.fixture(scope="module")
def matcher(news: Glossary) -> GlossaryMatcher:
    return GlossaryMatcher(news)


def found(matcher: GlossaryMatcher, sentence: str) -> dict[str, str]:
    """Matched text → German form of the entry."""
    return {match.text: match.entry.de for match in matcher.match(sentence)}


# --- TSV --------------------------------------------------------------------------------------


def test_reads_rows_skipping_comments_and_blank_lines(tmp_path):
    path = write(
        tmp_path,
        "# a comment\n\n" + HEADER + "Kreml\tKremlin\tname\tseat\tapproved\tKreml\t\n"
        "# another\nTASS\tTASS\tkeep\t\tproposed\t\texact\n",
    )
    first, second = read_tsv(path)
    assert (first.de, first.en, first.kind, first.forbidden, first.match) == (
        "Kreml",
        "Kremlin",
        "name",
        ("Kreml",),
        "lemma",
    )
    assert (first.source, first.line) == (path, 4)
    assert (second.status, second.forbidden, second.match, second.line) == ("proposed", (), "exact", 6)


def test_column_order_comes_from_the_header(tmp_path):
    path = write(tmp_path, "status\tkind\ten\tde\tnote\napproved\tname\tMoscow\tMoskau\t\n")
    assert read_tsv(path) == [Entry("Moskau", "Moscow", "name", "", "approved")]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("# c\nde\ten\tkind\tnote\tstatus\tcolour\n", 2, "unknown column 'colour'"),
        ("de\ten\tkind\tnote\n", 1, "header lacks column(s): status"),
        ("de\ten\tkind\tnote\tstatus\tde\n", 1, "column 'de' appears twice"),
        (HEADER + "Kreml\tKremlin\tname\n", 2, "expected 7 tab-separated cells as in the header, found 3"),
        (HEADER + "\n# x\nA\tB\tname\t\tapproved\t\t\textra\n", 4, "found 8"),
    ],
)
def test_parse_errors_name_file_and_line(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_tsv(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert problem in str(caught.value)


def test_not_utf8_reports_the_line(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes(
        (HEADER + "Moskau\tMoscow\tname\t\tapproved\t\t\n").encode() + "Köln\tCologne\n".encode("latin-1")
    )
    with pytest.raises(InputError, match="not UTF-8") as caught:
        read_tsv(path)
    assert caught.value.line == 3


def test_empty_file_has_no_header(tmp_path):
    with pytest.raises(InputError, match="no header row"):
        read_tsv(write(tmp_path, "# only a comment\n"))


def test_writer_round_trips_and_refuses_what_it_cannot_represent(tmp_path):
    entries = [
        Entry(
            "Demokratische Volksrepublik Korea",
            "Democratic People's Republic of Korea",
            "name",
            'UN "official" name',
            "approved",
        ),
        Entry("Wostotschny", "Vostochny", "name", "", "proposed", ("Wostotschny", "Vostochniy"), "exact"),
    ]
    path = tmp_path / "out.tsv"
    write_tsv(path, entries, comments=["curated"])
    assert read_tsv(path) == entries
    assert path.read_text(encoding="utf-8").startswith("# curated\n" + HEADER)
    for bad in (Entry("a\tb", "x"), Entry("#tag", "x"), Entry("a", "b", forbidden=("c|d",))):
        with pytest.raises(InputError):
            format_tsv([bad])


def test_glossary_load_takes_directories_sorted(tmp_path):
    write(tmp_path, HEADER + "B\tB\tkeep\t\tapproved\t\t\n", "b.tsv")
    write(tmp_path, HEADER + "A\tA\tkeep\t\tapproved\t\t\n", "a.tsv")
    write(tmp_path, "not a glossary", "notes.txt")
    glossary = load_glossary(tmp_path)
    assert [entry.de for entry in glossary] == ["A", "B"]
    assert len(glossary.approved()) == 2


# --- lint -------------------------------------------------------------------------------------


LINT_CASES = [
    ("Kreml\tKremlin\tname\t\tapproved\t\t", None),
    ("\tKremlin\tname\t\tapproved\t\t", "empty de"),
    ("Kreml\tKremlin\tperson\t\tapproved\t\t", "unknown kind 'person'"),
    ("Kreml\tKremlin\tname\t\tdone\t\t", "unknown status 'done'"),
    ("Kreml\tKremlin\tname\t\tapproved\t\tfuzzy", "unknown match 'fuzzy'"),
    ("Kreml\tKremlin\tname\t\tapproved\tKreml|Kremlin\t", "forbidden variant 'Kremlin' equals the rendering"),
    ("Kreml\tKremlin\tname\t\tapproved\tKreml||x\t", "empty forbidden variant"),
    ("ORF\tORF TV\tkeep\t\tapproved\t\t", "keep entry: en 'ORF TV' differs from de 'ORF'"),
    ("Kreml \tKremlin\tname\t\tapproved\t\t", "de 'Kreml ' has leading or trailing whitespace"),
]


@pytest.mark.parametrize(("row", "message"), LINT_CASES)
def test_each_entry_check_reports_file_and_line(tmp_path, row, message):
    path = write(tmp_path, "# comment\n" + HEADER + row + "\n")
    problems = check(load_glossary(path))
    if message is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert str(problems[0]).startswith(f"{path}:3: {message}")
        assert problems[0].severity == ERROR


def test_duplicates_warn_and_conflicts_are_errors_across_files(tmp_path):
    first = write(
        tmp_path,
        HEADER + "Kreml\tKremlin\tname\t\tapproved\t\t\nKreml\tKremlin\tname\tagain\tapproved\t\t\n",
        "a.tsv",
    )
    second = write(tmp_path, HEADER + "Kreml\tthe Kremlin\tname\t\tapproved\t\t\n", "b.tsv")
    problems = check(load_glossary([first, second]))
    assert [(str(p), p.severity) for p in problems] == [
        (f"{first}:3: warning: duplicate of line 2", WARNING),
        (
            f"{second}:2: conflicts with {first}:2: 'Kreml' is rendered 'Kremlin' there but 'the Kremlin' here",
            ERROR,
        ),
    ]


def test_curated_news_glossary_is_clean(news):
    assert check(news) == []
    assert len(news) >= 50
    assert all(entry.status == "approved" and entry.note for entry in news if entry.kind == "name")


# --- TBX --------------------------------------------------------------------------------------


def full_glossary() -> Glossary:
    return Glossary(
        (
            Entry(
                "Wostotschny",
                "Vostochny",
                "name",
                "cosmodrome; Reuters spelling",
                "approved",
                ("Wostotschny", "Vostochniy"),
            ),
            Entry("ORF", "ORF", "keep", "", "proposed", (), "exact"),
            Entry("Machthaber", "ruler", "term", "Tabs\\n & <tags> stay", "approved", (), "lemma"),
            Entry("Weltraumbahnhof", "cosmodrome", "term", "", "proposed", ("spaceport",), "exact"),
        )
    )


def test_tbx_v3_structure_is_tbx_basic():
    root = ET.fromstring(to_tbx(full_glossary(), title="news"))
    assert root.tag == f"{{{TBX_NAMESPACE}}}tbx"
    assert (root.get("type"), root.get("style"), root.get(XML_LANG)) == ("TBX-Basic", "dca", "de")
    assert root.find("t:tbxHeader/t:fileDesc/t:titleStmt/t:title", NS).text == "news"
    concepts = root.findall("t:text/t:body/t:conceptEntry", NS)
    assert [c.get("id") for c in concepts] == ["c1", "c2", "c3", "c4"]
    first = concepts[0]
    assert first.find("t:note", NS).text == "cosmodrome; Reuters spelling"
    german, english = first.findall("t:langSec", NS)
    assert (german.get(XML_LANG), english.get(XML_LANG)) == ("de", "en")
    assert german.find("t:termSec/t:term", NS).text == "Wostotschny"
    assert german.find("t:termSec/t:termNote[@type='partOfSpeech']", NS).text == "properNoun"
    statuses = [
        (section.find("t:term", NS).text, section.find("t:termNote[@type='administrativeStatus']", NS).text)
        for section in english.findall("t:termSec", NS)
    ]
    assert statuses == [
        ("Vostochny", "preferredTerm-admn-sts"),
        ("Wostotschny", "deprecatedTerm-admn-sts"),
        ("Vostochniy", "deprecatedTerm-admn-sts"),
    ]
    proposed = concepts[1].find("t:langSec/t:termSec/t:termNote[@type='administrativeStatus']", NS)
    assert proposed.text == "admittedTerm-admn-sts"


@pytest.mark.parametrize("version", [3, 2])
def test_tsv_to_tbx_to_tsv_loses_nothing(tmp_path, version):
    glossary = full_glossary()
    back = parse_tbx(to_tbx(glossary, version=version))
    assert back.entries == glossary.entries
    assert format_tsv(back) == format_tsv(glossary)


def test_curated_glossary_round_trips_through_tbx(news):
    assert format_tsv(parse_tbx(to_tbx(news))) == format_tsv(news)


def test_tbx_2008_uses_martif_for_older_tools():
    root = ET.fromstring(to_tbx(full_glossary(), version=2))
    assert root.tag == "martif"
    assert root.find("text/body/termEntry/langSet/tig/term").text == "Wostotschny"


@pytest.mark.parametrize(
    ("xml", "line", "problem"),
    [
        (
            b"<tbx>\n<text><body>\n<conceptEntry>\n</body></text></tbx>",
            4,
            "not well-formed XML: mismatched tag",
        ),
        (b"<?xml version='1.0'?>\n<glossary/>", 2, "root element is <glossary>"),
        (
            b"<tbx xmlns='urn:iso:std:iso:30042:ed-2'><text><body>\n<conceptEntry id='c9'>\n"
            b"<langSec xml:lang='de'><termSec><term>Kreml</term></termSec></langSec>\n"
            b"</conceptEntry></body></text></tbx>",
            2,
            "concept c9 has no English term",
        ),
        (
            b"<tbx><text><body><conceptEntry>\n<langSec xml:lang='de'>\n<termSec><term> </term></termSec></langSec>\n"
            b"<langSec xml:lang='en'><termSec><term>x</term></termSec></langSec></conceptEntry></body></text></tbx>",
            3,
            "term section without a term",
        ),
    ],
)
def test_malformed_tbx_names_the_line(xml, line, problem):
    with pytest.raises(InputError) as caught:
        parse_tbx(xml, "bad.tbx")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"bad.tbx:{line}: {problem}")


def test_imports_tbx_from_other_tools_with_defaults():
    weblate_style = b"""<?xml version="1.0"?>
<martif type="TBX" xml:lang="de"><martifHeader/><text><body>
  <termEntry><note>seat of power</note>
    <langSet xml:lang="de-AT"><tig><term>Kreml</term>
      <termNote type="partOfSpeech">properNoun</termNote></tig></langSet>
    <langSet xml:lang="en-GB"><tig><term>Kremlin</term></tig>
      <tig><term>Kreml</term><termNote type="administrativeStatus">forbidden</termNote></tig></langSet>
    <langSet xml:lang="fr"><tig><term>Kremlin</term></tig></langSet>
  </termEntry>
</body></text></martif>"""
    (entry,) = parse_tbx(weblate_style)
    assert entry == Entry("Kreml", "Kremlin", "name", "seat of power", "proposed", ("Kreml",), "lemma")


# --- matching ---------------------------------------------------------------------------------


def test_inflected_forms_in_article_sentences(matcher):
    assert found(
        matcher,
        "Putin und Kim kamen am Mittwoch auf dem Weltraumbahnhof Wostotschny im Osten Russlands zu ihren Gesprächen zusammen.",
    ) == {
        "Putin": "Putin",
        "Kim": "Kim",
        "Weltraumbahnhof Wostotschny": "Weltraumbahnhof Wostotschny",
        "Russlands": "Russland",
    }
    sentence = "Bei seinem Treffen mit dem nordkoreanischen Machthaber Kim Jong Un hat der russische Präsident Wladimir Putin am Mittwoch eine verstärkte Zusammenarbeit angekündigt."
    assert found(matcher, sentence) == {
        "nordkoreanischen": "nordkoreanisch",
        "Machthaber": "Machthaber",
        "Kim Jong Un": "Kim Jong Un",
        "russische": "russisch",
        "Präsident": "Präsident",
        "Wladimir Putin": "Wladimir Putin",
    }
    assert (
        found(matcher, "Zu Ehren des Machthabers aus Pjöngjang gab der russische Staatschef ein Dinner.")[
            "Machthabers"
        ]
        == "Machthaber"
    )
    assert found(matcher, "Kims Übersetzer dankte Putin.")["Kims"] == "Kim"


@pytest.mark.parametrize(
    ("sentence", "text", "de"),
    [
        ("Die Pläne Putins stießen auf Kritik.", "Putins", "Putin"),
        ("Ein Sprecher des Kremls sagte nichts.", "Kremls", "Kreml"),
        ("Die Führung Nordkoreas schwieg.", "Nordkoreas", "Nordkorea"),
        ("Der nordkoreanischer Diktator kam.", "nordkoreanischer", "nordkoreanisch"),
        ("Nordkoreanische Truppen seien bereit.", "Nordkoreanische", "nordkoreanisch"),
        (
            "Sprecherin des Nationalen Sicherheitsrats der USA",
            "Nationalen Sicherheitsrats",
            "Nationaler Sicherheitsrat",
        ),
        (
            "Der Führer der Demokratischen Volksrepublik Korea zeigt Interesse.",
            "Demokratischen Volksrepublik Korea",
            "Demokratische Volksrepublik Korea",
        ),
        ("Sein Treffen mit dem Kreml-Chef werde dienen.", "Kreml-Chef", "Kreml-Chef"),
        ("darunter solche für Interkontinentalraketen, nuklearfähige U-Boote", "U-Boote", "U-Boot"),
    ],
)
def test_inflected_forms(matcher, sentence, text, de):
    assert found(matcher, sentence).get(text) == de


def test_fallback_endings_cover_forms_the_lemmatizer_misses():
    assert "putin" in word_keys("Putins")
    assert "russland" in word_keys("Russlands")
    assert "nordkoreanisch" in word_keys("nordkoreanischer")
    # A word the lemmatizer does inflect gets no extra stems: Raten is Rate, not Rat.
    assert "rat" not in word_keys("Raten")


def test_case_rules():
    matcher = GlossaryMatcher(
        Glossary((Entry("nordkoreanisch", "North Korean"), Entry("Weg", "way"), Entry("Kim", "Kim", "name")))
    )
    assert found(matcher, "Nordkoreanische Soldaten.") == {"Nordkoreanische": "nordkoreanisch"}
    assert found(matcher, "Die Nordkoreanische Zentralbank.") == {}
    assert found(matcher, "Er ging weg.") == {}
    assert found(matcher, "Der Weg war lang.") == {"Weg": "Weg"}
    assert found(matcher, "KIM ZU BESUCH") == {"KIM": "Kim"}


def test_keep_and_exact_entries_match_verbatim_only(matcher):
    assert found(matcher, "Krisai (ORF) aus Moskau zum Treffen") == {
        "Krisai": "Krisai",
        "ORF": "ORF",
        "Moskau": "Moskau",
    }
    assert "Orf" not in found(matcher, "Der Orf berichtete.")
    assert found(matcher, "laut der staatlichen Nachrichtenagentur TASS")["TASS"] == "TASS"
    assert "Tass" not in found(matcher, "laut Tass")
    exact = GlossaryMatcher(Glossary((Entry("Weltraumbahnhof", "cosmodrome", match="exact"),)))
    assert found(exact, "am Weltraumbahnhof") == {"Weltraumbahnhof": "Weltraumbahnhof"}
    assert found(exact, "des Weltraumbahnhofs") == {}


def test_longest_match_wins_and_spans_are_exact(matcher):
    sentence = "„Wir werden die Entscheidungen von Präsident Putin immer unterstützen“, sagte Kim zu Wladimir  Putin."
    matches = matcher.match(sentence)
    assert [(m.text, m.entry.de) for m in matches] == [
        ("Präsident", "Präsident"),
        ("Putin", "Putin"),
        ("Kim", "Kim"),
        ("Wladimir  Putin", "Wladimir Putin"),
    ]
    for match in matches:
        assert sentence[match.start : match.end] == match.text
    assert [m.start for m in matches] == sorted(m.start for m in matches)


def test_words_separated_by_punctuation_do_not_form_a_phrase(matcher):
    assert "Putin" in found(matcher, "Wladimir, Putin").values()
    assert "Wladimir Putin" not in found(matcher, "Wladimir, Putin").values()


def test_every_curated_entry_is_found_in_the_article(news, matcher):
    text = ARTICLE.read_text(encoding="utf-8")
    matched = {match.entry.de for paragraph in text.split("\n") for match in matcher.match(paragraph)}
    assert [entry.de for entry in news if entry.de not in matched] == []


# --- constraints ------------------------------------------------------------------------------


PUTIN = Entry("Putin", "Putin", "name")
RULER = Entry("Machthaber", "ruler", "term")
NORTH_KOREA = Entry("Nordkorea", "North Korea", "name")
VOSTOCHNY = Entry("Wostotschny", "Vostochny", "name", forbidden=("Wostotschny", "Vostochniy", "Vostochnyy"))


def test_rendering_present_allows_possessives_and_sentence_start():
    assert rendering_present(PUTIN, "It was Putin's decision.")
    assert rendering_present(PUTIN, "It was Putin’s decision.")
    assert not rendering_present(PUTIN, "Putinism is a word.")
    assert rendering_present(RULER, "Ruler and guest met.")
    assert rendering_present(RULER, "Two rulers met.")
    assert not rendering_present(RULER, "The overruler spoke.")
    assert rendering_present(
        Entry("DVRK", "Democratic People's Republic of Korea", "name"),
        "the Democratic People’s  Republic of Korea",
    )


def test_names_keep_their_case_except_at_sentence_start():
    lower = Entry("x", "de Gaulle", "name")
    assert rendering_present(lower, "He met de Gaulle.")
    assert rendering_present(lower, "De Gaulle came. ")
    assert rendering_present(lower, "He left. De Gaulle came.")
    assert not rendering_present(lower, "He met De Gaulle.")
    assert not rendering_present(NORTH_KOREA, "north korea")


def test_keep_entries_accept_the_german_form():
    assert rendering_present(Entry("ORF", "ORF", "keep"), "according to ORF")
    assert not rendering_present(Entry("ORF", "ORF", "keep"), "according to Orf")


def test_forbidden_variants_found():
    assert forbidden_found(VOSTOCHNY, "at the Vostochniy and wostotschny sites") == [
        "Wostotschny",
        "Vostochniy",
    ]
    assert forbidden_found(VOSTOCHNY, "at the Vostochny Cosmodrome") == []
    inside = Entry("Kreml-Chef", "Kremlin chief", "term", forbidden=("chief",))
    assert forbidden_found(inside, "the Kremlin chief said") == []
    assert forbidden_found(inside, "the chief said") == ["chief"]


def test_violations_report_missing_and_forbidden():
    found_violations = violations([VOSTOCHNY, PUTIN, PUTIN], "Putin visited Vostochniy.")
    assert [(v.entry.de, v.kind) for v in found_violations] == [
        ("Wostotschny", MISSING_RENDERING),
        ("Wostotschny", FORBIDDEN_VARIANT),
    ]
    assert "Vostochniy" in str(found_violations[1])


# --- CLI --------------------------------------------------------------------------------------


runner = CliRunner()


def test_cli_check_clean_curated_glossary():
    result = runner.invoke(app, ["glossary", "check", str(NEWS_GLOSSARY)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_cli_check_reports_problems_with_exit_1(tmp_path):
    path = write(
        tmp_path, HEADER + "Kreml\tKremlin\tperson\t\tapproved\t\t\nKreml\tKremlin\tperson\t\tapproved\t\t\n"
    )
    result = runner.invoke(app, ["glossary", "check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:2: unknown kind 'person' (expected name, term, keep)",
        f"{path}:3: unknown kind 'person' (expected name, term, keep)",
        f"{path}:3: warning: duplicate of line 2",
    ]


def test_cli_check_warnings_only_exit_0(tmp_path):
    path = write(
        tmp_path, HEADER + "Kreml\tKremlin\tname\t\tapproved\t\t\nKreml\tKremlin\tname\t\tapproved\t\t\n"
    )
    assert runner.invoke(app, ["glossary", "check", str(path)]).exit_code == 0


@pytest.mark.parametrize("text", [None, "de\ten\n"])
def test_cli_check_unreadable_file_exit_2_one_line(tmp_path, text):
    path = tmp_path / "g.tsv"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["glossary", "check", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr


def test_cli_export_import_round_trip(tmp_path):
    tbx = tmp_path / "news.tbx"
    tsv = tmp_path / "news.tsv"
    assert runner.invoke(app, ["glossary", "export", str(NEWS_GLOSSARY), "-o", str(tbx)]).exit_code == 0
    assert ET.parse(tbx).getroot().get("type") == "TBX-Basic"
    assert runner.invoke(app, ["glossary", "import", str(tbx), "-o", str(tsv)]).exit_code == 0
    assert read_tsv(tsv) == read_tsv(NEWS_GLOSSARY)


def test_cli_refuses_to_write_on_bad_input(tmp_path):
    bad_tbx = tmp_path / "bad.tbx"
    bad_tbx.write_text("<tbx><text><body>", encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = runner.invoke(app, ["glossary", "import", str(bad_tbx), "-o", str(out)])
    assert result.exit_code == 2 and "bad.tbx:1:" in result.stderr
    assert not out.exists()

    conflicting = write(
        tmp_path, HEADER + "Kreml\tKremlin\tname\t\tapproved\t\t\nKreml\tMoscow\tname\t\tapproved\t\t\n"
    )
    tbx = tmp_path / "out.tbx"
    result = runner.invoke(app, ["glossary", "export", str(conflicting), "-o", str(tbx)])
    assert result.exit_code == 2 and "conflicts with line 2" in result.stderr
    assert not tbx.exists()
    assert list(tmp_path.glob(".*.tmp")) == []
