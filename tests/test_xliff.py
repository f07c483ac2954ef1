"""XLIFF 1.2 exchange with CAT tools: `dolmetsch xliff export` and `dolmetsch xliff import`.

Real tools throughout: the CLI with the tiny real model, xmllint against the OASIS strict schema
(`../shared/schemas/`), translate-toolkit's XLIFF reader (and its writer, as a CAT tool), msgfmt -c
on every imported PO. The bundled article is translated once per module as `putin-kim.txt`, and the
HTML example beside it as `seite.html`; a test that edits anything works on a copy of that folder,
from inside it, so every path is the one the PO's references name. The tiny model's English is
poor: these tests judge the exchange, never the translation.
"""

from __future__ import annotations

import codecs
import copy
import fcntl
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree
from typer.testing import CliRunner

from conftest import ROOT, TINY_MODEL, msgfmt_or_skip, reviewer_saves
from dolmetsch.cli import app
from dolmetsch.document.inline import MarkedText, Span, Tag
from dolmetsch.formats import xliff as xl
from dolmetsch.markup.placeholders import to_placeholders
from dolmetsch.sources import read_document

SCHEMAS = ROOT.parent / "shared" / "schemas"
STRICT = SCHEMAS / "xliff-core-1.2-strict.xsd"
NS = xl.XLIFF_NS
N = {"x": NS}
GLOSSARY = ROOT / "glossary"
TEXT, HTML = "putin-kim.txt", "seite.html"
PO = {TEXT: Path("locales/en/LC_MESSAGES/putin-kim.po"), HTML: Path("locales/en/LC_MESSAGES/seite.po")}
XLF = {TEXT: Path("out/putin-kim.de-en.xlf"), HTML: Path("out/seite.de-en.xlf")}
ALWAYS = "Nordkorea werde <1>immer</1> hinter den Entscheidungen von Putin stehen."
LEDE = (
    "Bei seinem Treffen mit dem nordkoreanischen Machthaber <1>Kim Jong Un</1> hat der russische Präsident "
    "<2>Wladimir Putin</2> am Mittwoch eine verstärkte Zusammenarbeit zwischen beiden Staaten angekündigt."
)
KRISAI = "ORF-Korrespondent Paul Krisai"


# --- running things ----------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def export(source: str = TEXT):
    return ok(run("xliff", "export", source))


def import_(path: Path | str = None, *extra, source: str = TEXT):
    return run("xliff", "import", path or XLF[source], *extra)


def build(source: str = TEXT):
    return ok(run("build", source, "--no-glossary", "-q"))


def one_line_error(result, *expected: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dolmetsch: error: "), lines
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def xmllint_valid(path: Path) -> None:
    xmllint = shutil.which("xmllint")
    if xmllint is None or not STRICT.is_file():
        why = "xmllint (libxml2-utils)" if xmllint is None else f"the XLIFF schema {STRICT}"
        if os.environ.get("CI"):
            pytest.fail(f"{why} is required in CI")
        pytest.skip(f"{why} is not available")
    done = subprocess.run([xmllint, "--noout", "--nonet", "--schema", str(STRICT), str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def msgfmt_check(po: Path) -> None:
    done = subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(po)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def live(po: Path) -> dict:
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(po)) if not e.obsolete and e.msgid}


def parse(path: Path):
    return etree.parse(str(path)).getroot()


def units(root) -> list:
    return root.findall(".//x:trans-unit", N)


def unit(root, german: str, context: str | None = None):
    wanted = xl.unit_id(context, german)
    return next(u for u in units(root) if u.get("id") == wanted)


def target(element, inner: str, state: str | None = None, approved: str | None = None):
    """Replace a unit's target with `inner` (XLIFF content), as a CAT tool's editor does."""
    old = element.find("x:target", N)
    new = etree.fromstring(f'<target xmlns="{NS}">{inner}</target>')
    for name, value in old.attrib.items():
        new.set(name, value)
    if state is not None:
        new.set("state", state)
    new.tail = old.tail
    element.replace(old, new)
    if approved is not None:
        element.set("approved", approved)


def save(root, path: Path) -> None:
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def sentence(po: Path, number: int) -> polib.POEntry:
    """The live entry of the `number`th sentence with letters (0-based), in file order."""
    return [e for e in polib.pofile(str(po)) if not e.obsolete and e.msgid and any(c.isalpha() for c in e.msgid)][number]


# --- one translation of both examples ----------------------------------------------------------


@contextmanager
def isolated_home(tmp_path_factory, shared_wordforms):
    """What conftest's `isolated_argos` does per test, for the module-scoped run."""
    home = tmp_path_factory.mktemp("xliff-home")
    (home / "cache" / "dolmetsch").mkdir(parents=True)
    (home / "cache" / "dolmetsch" / "wordforms").symlink_to(shared_wordforms, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in {
            "HOME": home, "XDG_DATA_HOME": home / "data", "XDG_CACHE_HOME": home / "cache", "XDG_CONFIG_HOME": home / "config",
            "ARGOS_PACKAGES_DIR": home / "packages", "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
        }.items():
            patch.setenv(variable, str(value))
        yield patch


@pytest.fixture(scope="module")
def translated(tmp_path_factory, shared_wordforms) -> Path:
    """`dolmetsch translate putin-kim.txt seite.html` with the tiny model and the bundled glossary."""
    root = tmp_path_factory.mktemp("xliff-project")
    shutil.copyfile(ROOT / "examples" / "putin-kim.txt", root / TEXT)
    shutil.copyfile(ROOT / "examples" / "putin-kim.html", root / HTML)
    with isolated_home(tmp_path_factory, shared_wordforms) as patch:
        patch.chdir(root)
        result = run("translate", TEXT, HTML, "--model", TINY_MODEL, "--offline", "-g", GLOSSARY, "--beam", "1", "-q")
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(translated, tmp_path, monkeypatch) -> Path:
    """A copy of the translated project, the current folder for the test."""
    root = tmp_path / "project"
    shutil.copytree(translated, root)
    monkeypatch.chdir(root)
    return root


def reviewed(po: Path, numbers=(0, 1), final: int | None = 2, comment: int | None = 3) -> None:
    """A reviewer confirms some entries in the PO, marks one final and comments on another (as a PO editor saves)."""
    catalog = polib.pofile(str(po))
    entries = [e for e in catalog if not e.obsolete and e.msgid and any(c.isalpha() for c in e.msgid)]
    for number in numbers:
        entries[number].flags = [f for f in entries[number].flags if f != "fuzzy"]
    if final is not None:
        entries[final].flags = ["final"]
    if comment is not None:
        entries[comment].tcomment = "Check the name against the agency's spelling"
    catalog.save(str(po))


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [TEXT, HTML])
def test_the_export_validates_against_the_strict_schema(project, source):
    result = export(source)
    assert f"wrote {XLF[source]}" in result.stderr
    xmllint_valid(XLF[source])


def test_after_review_the_export_still_validates(project):
    reviewed(PO[TEXT])
    export()
    xmllint_valid(XLF[TEXT])


@pytest.mark.parametrize("source, datatype", [(TEXT, "plaintext"), (HTML, "html")])
def test_one_file_one_group_per_block_one_unit_per_sentence(project, source, datatype):
    export(source)
    root = parse(XLF[source])
    assert root.get("version") == "1.2"
    (file,) = root.findall("x:file", N)
    assert (file.get("source-language"), file.get("target-language"), file.get("original"), file.get("datatype")) == ("de", "en", source, datatype)
    document = read_document(source)
    segments = document.segments()
    found = units(root)
    assert len(found) == len(segments)
    entries = live(PO[source])
    assert len({u.get("id") for u in found}) == len(found)
    groups = file.findall("x:body/x:group", N)
    assert [g.get("id") for g in groups] == [f"block-{n}" for n in dict.fromkeys(s.block for s in segments)]
    kinds = {g.get("restype") for g in groups}
    assert {"x-title", "x-paragraph"} <= kinds if source == TEXT else "x-paragraph" in kinds
    for element, segment in zip(found, segments):
        assert element.get("resname") == segment.text
        context = next(c.text for c in element.iterfind("x:context-group/x:context", N) if c.get("context-type") == "x-po-msgctxt") \
            if element.find("x:context-group[@purpose='information']", N) is not None else None
        assert (context, segment.text) in entries
        assert element.get("id") == xl.unit_id(context, segment.text)
        location = {c.get("context-type"): c.text for c in element.iterfind("x:context-group[@purpose='location']/x:context", N)}
        assert location == {"sourcefile": source, "linenumber": str(segment.line)}
        assert element.getparent().get("id") == f"block-{segment.block}"


def test_states_map_from_the_po(project):
    reviewed(PO[TEXT])
    export()
    root = parse(XLF[TEXT])
    states = {}
    for number, expected in [(0, ("translated", "yes")), (1, ("translated", "yes")), (2, ("final", "yes")), (3, ("needs-review-translation", None))]:
        entry = sentence(PO[TEXT], number)
        element = unit(root, entry.msgid, entry.msgctxt)
        states[number] = (element.find("x:target", N).get("state"), element.get("approved"))
        assert states[number] == expected
        assert xl.read_content(element.find("x:target", N), markup=False)[0] == entry.msgstr
    untouched = unit(root, sentence(PO[TEXT], 4).msgid)
    assert untouched.find("x:target", N).get("state-qualifier") == "leveraged-mt"  # the machine's draft, untouched


def test_notes_carry_glossary_decisions_and_reviewer_comments(project):
    reviewed(PO[TEXT])
    export()
    root = parse(XLF[TEXT])
    commented = sentence(PO[TEXT], 3)
    notes = [(n.get("from"), n.text) for n in unit(root, commented.msgid).iterfind("x:note", N)]
    assert ("translator", "Check the name against the agency's spelling") in notes
    glossary_notes = [text for author, text in notes if author == "dolmetsch" and text.startswith("glossary: ")]
    assert glossary_notes and all(" → " in text for text in glossary_notes)
    everything = [n.text for n in root.iterfind(".//x:note", N)]
    assert not any(text.startswith(("machine output: ", "paragraph, block")) for text in everything)  # fingerprints and positions stay in the PO
    terms = root.findall(".//x:source/x:mrk[@mtype='term']", N)
    assert terms and all(t.get("comment").startswith("glossary: ") for t in terms)


def test_missing_terms_are_a_note_of_the_first_priority(project):
    po = PO[TEXT]
    catalog = polib.pofile(str(po))
    entry = [e for e in catalog if e.msgid and not e.obsolete][5]
    entry.comment += "\nglossary: Kim → Kim (MISSING)\nglossary terms MISSING: review required"
    catalog.save(str(po))
    export()
    notes = {n.text: n.get("priority") for n in unit(parse(XLF[TEXT]), entry.msgid).iterfind("x:note", N)}
    assert notes["glossary terms MISSING: review required"] == "1" and notes["glossary: Kim → Kim (MISSING)"] == "1"


def test_inline_markup_travels_as_g_and_x_not_as_escaped_tags(project):
    export(HTML)
    root = parse(XLF[HTML])
    for element in root.iterfind(".//x:source", N):  # resname is the PO key, placeholders and all; the text never is
        text = etree.tostring(element, encoding="unicode") + etree.tostring(element.getnext(), encoding="unicode")
        assert "&lt;1&gt;" not in text and "&lt;/1&gt;" not in text and "&lt;2/&gt;" not in text
    lede = unit(root, LEDE)
    source = lede.find("x:source", N)
    assert [(g.get("id"), g.get("ctype"), "".join(g.itertext())) for g in source.iter(f"{{{NS}}}g")] == [
        ("1", "bold", "Kim Jong Un"), ("2", "link", "Wladimir Putin")
    ]
    assert root.findall(".//x:source//x:x", N), "the example's <br> and empty elements are <x/>"
    assert xl.read_content(source)[0] == LEDE
    for element in units(root):
        german = element.get("resname")
        assert xl.read_content(element.find("x:source", N))[0] == german


def test_translate_toolkit_reads_every_export(project):
    from translate.storage.xliff import xlifffile

    reviewed(PO[TEXT])
    for source in (TEXT, HTML):
        export(source)
        store = xlifffile.parsestring(XLF[source].read_bytes())
        found = [u for u in store.units if not u.isheader()]
        assert len(found) == len(read_document(source).segments())
        assert all(u.getlocations() and u.getlocations()[0].startswith(f"{source}:") for u in found)
        assert len({u.getid() for u in found}) == len(found)
        if source == TEXT:
            entries = [e for e in polib.pofile(str(PO[TEXT])) if not e.obsolete and e.msgid]
            by_id = {u.getid().split("\x04")[-1]: u for u in found}
            for entry in entries:
                read = by_id[xl.unit_id(entry.msgctxt, entry.msgid)]
                assert (read.source, read.target) == (entry.msgid, entry.msgstr)
                assert read.isapproved() == ("fuzzy" not in entry.flags)
                if entry.tcomment:
                    assert entry.tcomment in read.getnotes("translator")


def test_a_sentence_the_po_lacks_is_refused_with_nothing_written(project):
    Path(TEXT).write_text(Path(TEXT).read_text(encoding="utf-8") + "\nEin ganz neuer Satz am Ende.\n", encoding="utf-8")
    one_line_error(run("xliff", "export", TEXT), "putin-kim.po", "run `dolmetsch translate` first")
    assert not XLF[TEXT].exists()


def test_export_without_a_po_says_to_translate_first(project):
    shutil.rmtree("locales")
    one_line_error(run("xliff", "export", TEXT), "no PO catalogue", "dolmetsch translate")
    assert not XLF[TEXT].exists()


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [TEXT, HTML])
def test_export_then_import_without_edits_changes_nothing(project, source):
    reviewed(PO[source])
    before = PO[source].read_bytes()
    mtime = PO[source].stat().st_mtime_ns
    export(source)
    result = ok(import_(source=source))
    assert "unchanged" in result.stderr
    assert PO[source].read_bytes() == before and PO[source].stat().st_mtime_ns == mtime


def test_a_re_serialised_unedited_file_changes_nothing(project):
    """No extradata (a tool that drops unknown attributes) and toolkit's own serialisation: still nothing changes."""
    from translate.storage.xliff import xlifffile

    reviewed(PO[TEXT])
    before = PO[TEXT].read_bytes()
    export()
    root = parse(XLF[TEXT])
    for element in units(root):
        del element.attrib["extradata"]
    save(root, XLF[TEXT])
    store = xlifffile.parsestring(XLF[TEXT].read_bytes())
    XLF[TEXT].write_bytes(bytes(store))
    ok(import_())
    assert PO[TEXT].read_bytes() == before


def test_edits_in_a_cat_tool_come_back_and_build_the_final_english(project):
    po = PO[TEXT]
    export()
    root = parse(XLF[TEXT])
    first, second, third = sentence(po, 0), sentence(po, 1), sentence(po, 2)
    target(unit(root, first.msgid), "Russian President Vladimir Putin and North Korean dictator Kim Jong Un", "translated", "yes")
    target(unit(root, second.msgid), "Meeting in Russia", "final", "yes")
    etree.SubElement(unit(root, third.msgid), f"{{{NS}}}note").text = "Shorter, please."
    save(root, XLF[TEXT])

    result = ok(import_())
    assert "1 translation(s), 2 review state(s), 1 comment(s)" in result.stderr
    entries = live(po)
    assert entries[(None, first.msgid)].msgstr == "Russian President Vladimir Putin and North Korean dictator Kim Jong Un"
    assert "fuzzy" not in entries[(None, first.msgid)].flags
    assert entries[(None, second.msgid)].flags == ["final"]
    assert entries[(None, third.msgid)].tcomment == "Shorter, please." and "fuzzy" in entries[(None, third.msgid)].flags
    msgfmt_check(po)

    export()  # export → edit → import → export: the targets are the edited ones
    again = parse(XLF[TEXT])
    xmllint_valid(XLF[TEXT])
    first_unit = unit(again, first.msgid)
    assert first_unit.find("x:target", N).text == "Russian President Vladimir Putin and North Korean dictator Kim Jong Un"
    assert (first_unit.find("x:target", N).get("state"), first_unit.get("approved")) == ("translated", "yes")
    assert unit(again, second.msgid).find("x:target", N).get("state") == "final"
    assert ("translator", "Shorter, please.") in [(n.get("from"), n.text) for n in unit(again, third.msgid).iterfind("x:note", N)]

    before = po.read_bytes()
    ok(import_())  # the same file again: nothing new
    assert po.read_bytes() == before

    build()
    english = Path("out/putin-kim.en.txt").read_text(encoding="utf-8")
    assert english.startswith("Russian President Vladimir Putin and North Korean dictator Kim Jong Un\n")


def test_html_edits_with_moved_markup_build_the_page(project):
    po = PO[HTML]
    export(HTML)
    root = parse(XLF[HTML])
    target(
        unit(root, LEDE),
        f'At his meeting with North Korean ruler <g id="1" ctype="bold">Kim Jong Un</g>, Russian President <g id="2">Vladimir Putin</g>'
        " announced closer cooperation between the two states on Wednesday.",
        "translated", "yes",
    )
    target(unit(root, ALWAYS), 'North Korea would <g id="1">always</g> stand behind <mrk mtype="term">Putin</mrk>\'s decisions.', "translated", "yes")
    save(root, XLF[HTML])
    ok(import_(source=HTML))
    entries = live(po)
    assert entries[(None, ALWAYS)].msgstr == "North Korea would <1>always</1> stand behind Putin's decisions."
    assert entries[(None, LEDE)].msgstr.startswith("At his meeting with North Korean ruler <1>Kim Jong Un</1>, Russian President <2>Vladimir Putin</2>")
    msgfmt_check(po)
    export(HTML)
    xmllint_valid(XLF[HTML])
    assert xl.read_content(unit(parse(XLF[HTML]), ALWAYS).find("x:target", N))[0] == "North Korea would <1>always</1> stand behind Putin's decisions."
    build(HTML)
    page = Path("out/seite.en.html").read_text(encoding="utf-8")
    assert "North Korea would <em>always</em> stand behind Putin's decisions." in page
    assert (
        'At his meeting with North Korean ruler <strong>Kim Jong Un</strong>, Russian President '
        '<a href="/stories/thema/wladimir-putin/">Vladimir Putin</a> announced' in page
    )


@pytest.mark.parametrize(
    "text",
    [
        "Kim <1>pries</1> die <2>Truppen</2>.<3/>",
        "<1><2>a</2></1> b <3></3>",
        "Punkt \\<1> und <1>fett</1>.",
        "C:\\Temp\\\\<1>x</1> a\\",
        "\\\\\\<2/> und <1>y</1><2/>",
        "a < b <Kim> \\<b> <1>x<2/></1>",
    ],
)
def test_placeholders_and_inline_codes_convert_both_ways(text):
    element = etree.Element(f"{{{NS}}}target")
    xl.write_content(element, text)
    assert xl.read_content(element)[0] == text


def test_a_literal_placeholder_is_plain_text_in_xliff():
    element = etree.Element(f"{{{NS}}}source")
    xl.write_content(element, "Punkt \\<1> und <1>fett</1>.")
    assert element.text == "Punkt <1> und " and element[0].text == "fett"


def test_the_conversion_agrees_with_the_placeholder_writer():
    marked = MarkedText("Kim <1> pries \\ die Truppen", (Span(1, 0, 3), Span(2, 14, 14)), (Tag(1, "<b>", "</b>"), Tag(2, "<br>", void=True)))
    text = to_placeholders(marked)
    element = etree.Element(f"{{{NS}}}source")
    xl.write_content(element, text)
    assert xl.read_content(element)[0] == text


# --- what CAT tools do to a file ---------------------------------------------------------------

SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
MQ = "MQXliff"


def rewritten(root, *, prefix: str, extra: dict[str, str]):
    """The document with the XLIFF namespace under `prefix` and `extra` namespaces declared, as a tool re-serialises it."""
    nsmap = {prefix: NS, **extra}
    new = etree.Element(f"{{{NS}}}xliff", root.attrib, nsmap=nsmap)
    for child in root:
        new.append(copy.deepcopy(child))
    etree.cleanup_namespaces(new, top_nsmap=nsmap)
    return new


def tab_indented(root, level: int = 0) -> None:
    children = list(root)
    if not children or etree.QName(root).localname in ("source", "target", "seg-source", "note", "mrk", "g"):
        return
    root.text = "\r\n" + "\t" * (level + 1)
    for child in children:
        child.tail = "\r\n" + "\t" * (level + 1)
        tab_indented(child, level + 1)
    children[-1].tail = "\r\n" + "\t" * level


def test_an_sdlxliff_style_rewrite_imports(project):
    po = PO[HTML]
    export(HTML)
    root = parse(XLF[HTML])
    lede, always = unit(root, LEDE), unit(root, ALWAYS)
    # the tool segments the source, keeps its own data in its namespace, wraps targets in segment markers
    for element in (lede, always):
        source = element.find("x:source", N)
        seg_source = etree.Element(f"{{{NS}}}seg-source")
        marker = etree.SubElement(seg_source, f"{{{NS}}}mrk", {"mtype": "seg", "mid": "1"})
        marker.text, marker[:] = source.text, [copy.deepcopy(c) for c in source]
        source.addnext(seg_source)
        defs = etree.SubElement(element, f"{{{SDL}}}seg-defs")
        etree.SubElement(defs, f"{{{SDL}}}seg", {"id": "1", "conf": "Translated"})
        alternative = etree.Element(f"{{{NS}}}alt-trans", {"origin": "tm", "match-quality": "74"})
        etree.SubElement(alternative, f"{{{NS}}}source").text = "Nordkorea werde immer hinter Putin stehen."
        etree.SubElement(alternative, f"{{{NS}}}target").text = "North Korea will always stand behind Putin."
        element.find("x:target", N).addnext(alternative)
    target(always, '<mrk mtype="seg" mid="1">North Korea would <g id="1">always</g> stand behind Putin\'s decisions.</mrk>', "translated", "yes")
    always.set(f"{{{SDL}}}locked", "false")
    new = rewritten(root, prefix="xlf", extra={"sdl": SDL})
    tab_indented(new)
    data = codecs.BOM_UTF8 + etree.tostring(new, xml_declaration=True, encoding="UTF-8").replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    XLF[HTML].write_bytes(data)
    assert b"<xlf:trans-unit" in data and b"\r\n\t\t\t" in data and b"\n" not in data.replace(b"\r\n", b"")

    result = ok(import_(source=HTML))
    assert "1 translation(s), 1 review state(s)" in result.stderr
    entries = live(po)
    assert entries[(None, ALWAYS)].msgstr == "North Korea would <1>always</1> stand behind Putin's decisions."
    assert "fuzzy" not in entries[(None, ALWAYS)].flags
    assert "fuzzy" in entries[(None, LEDE)].flags  # untouched, alt-trans and all
    msgfmt_check(po)


def test_an_mqxliff_style_file_with_changed_states_and_a_note_imports(project):
    po = PO[TEXT]
    reviewed(po, numbers=(0,), final=None, comment=None)
    export()
    root = parse(XLF[TEXT])
    confirmed, draft = sentence(po, 0), sentence(po, 1)
    back = unit(root, confirmed.msgid)
    back.find("x:target", N).set("state", "needs-review-translation")
    back.set("approved", "no")
    back.set(f"{{{MQ}}}status", "Rejected")
    forward = unit(root, draft.msgid)
    forward.find("x:target", N).set("state", "signed-off")
    forward.set(f"{{{MQ}}}status", "ManuallyConfirmed")
    etree.SubElement(forward, f"{{{MQ}}}insertedmatch", {"matchtype": "0", "source": "TM"}).text = "x"
    note = etree.SubElement(forward, f"{{{NS}}}note", {"from": "Jane Doe"})
    note.text = "  Agency spelling checked.  "
    new = rewritten(root, prefix="x", extra={"mq": MQ})
    XLF[TEXT].write_bytes(etree.tostring(new, xml_declaration=True, encoding="UTF-8", pretty_print=False))
    ok(import_())
    entries = live(po)
    assert "fuzzy" in entries[(None, confirmed.msgid)].flags
    assert "fuzzy" not in entries[(None, draft.msgid)].flags and entries[(None, draft.msgid)].msgstr == draft.msgstr
    assert entries[(None, draft.msgid)].tcomment == "Jane Doe: Agency spelling checked."
    msgfmt_check(po)


def test_translate_toolkit_as_the_cat_tool(project):
    """Virtaal and Pootle edit XLIFF through translate-toolkit: its edits come back."""
    from translate.storage.xliff import xlifffile

    po = PO[TEXT]
    export()
    store = xlifffile.parsestring(XLF[TEXT].read_bytes())
    entry = sentence(po, 1)
    edited = next(u for u in store.units if u.getid().endswith(xl.unit_id(None, entry.msgid)))
    edited.settarget("Meeting in Russia")
    edited.markfuzzy(False)
    edited.addnote("Title case?", origin="translator")
    XLF[TEXT].write_bytes(bytes(store))
    ok(import_())
    got = live(po)[(None, entry.msgid)]
    assert (got.msgstr, got.flags, got.tcomment) == ("Meeting in Russia", [], "Title case?")
    msgfmt_check(po)


def test_a_dropped_or_emptied_target_erases_nothing(project):
    po = PO[TEXT]
    before = po.read_bytes()
    export()
    root = parse(XLF[TEXT])
    first, second = units(root)[0], units(root)[1]
    first.remove(first.find("x:target", N))
    target(second, "", "translated", "yes")
    save(root, XLF[TEXT])
    ok(import_())
    assert po.read_bytes() == before


# --- reviewers' work is never lost -------------------------------------------------------------


def test_a_po_edit_after_the_export_survives_an_import_that_left_the_unit_alone(project):
    po = PO[TEXT]
    export()
    first, second = sentence(po, 0), sentence(po, 1)
    reviewer_saves(po, {first.msgid: "The reviewer's caption, after the export"})
    root = parse(XLF[TEXT])
    target(unit(root, second.msgid), "Meeting in Russia, edited in the CAT tool", "translated", "yes")
    save(root, XLF[TEXT])
    ok(import_())
    entries = live(po)
    assert entries[(None, first.msgid)].msgstr == "The reviewer's caption, after the export"
    assert entries[(None, second.msgid)].msgstr == "Meeting in Russia, edited in the CAT tool"


def test_a_unit_changed_on_both_sides_keeps_both_translations(project):
    po = PO[TEXT]
    export()
    entry = sentence(po, 0)
    reviewer_saves(po, {entry.msgid: "The reviewer's caption"})
    root = parse(XLF[TEXT])
    target(unit(root, entry.msgid), "The CAT tool's caption", "translated", "yes")
    save(root, XLF[TEXT])
    result = ok(import_())
    assert "changed in the PO since the export and in the XLIFF" in result.stderr
    got = live(po)[(None, entry.msgid)]
    assert got.msgstr == "The CAT tool's caption" and "fuzzy" in got.flags
    assert "The reviewer's caption" in " ".join(got.tcomment.split())
    msgfmt_check(po)
    before = po.read_bytes()
    export()
    ok(import_())  # the comment comes back as a note, and is not added twice
    assert po.read_bytes() == before


def test_the_import_holds_the_po_lock(project, monkeypatch):
    import dolmetsch.exchange as exchange

    export()
    root = parse(XLF[TEXT])
    target(units(root)[0], "Edited", "translated", "yes")
    save(root, XLF[TEXT])
    held = []
    original = exchange.merge_xliff

    def merging(catalog, xliff):
        with open(PO[TEXT].parent / ".putin-kim.po.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(True)
            else:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return original(catalog, xliff)

    monkeypatch.setattr(exchange, "merge_xliff", merging)
    ok(import_())
    assert held == [True]


def test_a_reviewer_save_during_the_import_is_merged_not_overwritten(project, monkeypatch):
    import dolmetsch.exchange as exchange

    po = PO[TEXT]
    export()
    first, second = sentence(po, 0), sentence(po, 1)
    root = parse(XLF[TEXT])
    target(unit(root, second.msgid), "From the CAT tool", "translated", "yes")
    save(root, XLF[TEXT])
    original = exchange.merge_xliff
    calls = []

    def merging(catalog, xliff):
        merged = original(catalog, xliff)
        if not calls:  # the reviewer saves after the import read the PO, before it is replaced
            reviewer_saves(po, {first.msgid: "Saved in Poedit meanwhile"})
        calls.append(1)
        return merged

    monkeypatch.setattr(exchange, "merge_xliff", merging)
    ok(import_())
    assert len(calls) == 2
    entries = live(po)
    assert entries[(None, first.msgid)].msgstr == "Saved in Poedit meanwhile"
    assert entries[(None, second.msgid)].msgstr == "From the CAT tool"


def test_a_po_that_keeps_changing_is_not_replaced(project, monkeypatch):
    import dolmetsch.exchange as exchange

    po = PO[TEXT]
    export()
    root = parse(XLF[TEXT])
    target(units(root)[1], "From the CAT tool", "translated", "yes")
    save(root, XLF[TEXT])
    first = sentence(po, 0)
    original = exchange.merge_xliff
    saves = iter(range(100))

    def merging(catalog, xliff):
        merged = original(catalog, xliff)
        reviewer_saves(po, {first.msgid: f"Save number {next(saves)}"})
        return merged

    monkeypatch.setattr(exchange, "merge_xliff", merging)
    result = import_()
    assert result.exit_code == 1, result.output
    assert "nothing was replaced" in result.stderr and "putin-kim.po.new" in result.stderr
    assert live(po)[(None, first.msgid)].msgstr.startswith("Save number")
    assert Path(f"{po}.new").is_file()


# --- units that are no sentence any more -------------------------------------------------------


def test_a_unit_whose_source_changed_is_kept_as_obsolete_never_applied_elsewhere(project):
    po = PO[TEXT]
    export()
    root = parse(XLF[TEXT])
    entry = sentence(po, 1)
    element = unit(root, entry.msgid)
    source = element.find("x:source", N)
    source[:], source.text = [], "Treffen in Moskau"
    target(element, "Meeting in Moscow", "translated", "yes")
    gone = units(root)[5]
    gone.set("id", "s-no-such-entry")
    source = gone.find("x:source", N)
    source[:], source.text = [], "Ein Satz, den es nicht mehr gibt."
    target(gone, "A sentence that is gone.", "translated", "yes")
    save(root, XLF[TEXT])
    result = ok(import_())
    warnings = [line for line in result.stderr.splitlines() if line.startswith("dolmetsch: warning: ")]
    assert len(warnings) == 2 and all("kept in the PO as obsolete" in w and "out/putin-kim.de-en.xlf:" in w for w in warnings)
    catalog = polib.pofile(str(po))
    obsolete = {e.msgid: e for e in catalog if e.obsolete}
    assert obsolete["Treffen in Moskau"].msgstr == "Meeting in Moscow"
    assert obsolete["Ein Satz, den es nicht mehr gibt."].msgstr == "A sentence that is gone."
    assert live(po)[(None, entry.msgid)].msgstr == entry.msgstr  # the sentence itself is untouched
    assert "2 kept as obsolete" in result.stderr
    msgfmt_check(po)


# --- refusals: one line, exit 2, nothing written -----------------------------------------------


@pytest.fixture
def exported(project) -> tuple[Path, bytes, str]:
    """The article's XLIFF, the PO's bytes, and the XLIFF's text, for a refusal to spoil."""
    export()
    export(HTML)
    return project, PO[TEXT].read_bytes(), XLF[TEXT].read_text(encoding="utf-8")


def refused(result, exported, *expected):
    line = one_line_error(result, *expected)
    assert PO[TEXT].read_bytes() == exported[1]
    assert not Path(f"{PO[TEXT]}.new").exists()
    return line


def test_entity_declarations_are_refused(exported):
    text = exported[2].replace("?>\n", '?>\n<!DOCTYPE xliff [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n', 1)
    XLF[TEXT].write_text(text.replace("Treffen in Russland</source>", "Treffen in &lol2;</source>"), encoding="utf-8")
    refused(import_(), exported, "out/putin-kim.de-en.xlf", "DTD or entity declarations")


def test_a_dtd_is_refused(exported):
    XLF[TEXT].write_text(exported[2].replace("?>\n", '?>\n<!DOCTYPE xliff SYSTEM "xliff.dtd">\n', 1), encoding="utf-8")
    refused(import_(), exported, "out/putin-kim.de-en.xlf", "DTD or entity declarations")


def test_an_external_entity_is_refused(exported):
    text = exported[2].replace("?>\n", '?>\n<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n', 1)
    XLF[TEXT].write_text(text.replace("Treffen in Russland</source>", "&secret;</source>"), encoding="utf-8")
    line = refused(import_(), exported, "DTD or entity declarations")
    assert "root:" not in line


@pytest.mark.parametrize("attribute, value", [("target-language", "fr"), ("source-language", "en")])
def test_another_language_pair_is_refused(exported, attribute, value):
    text = exported[2].replace(f'{attribute}="{"en" if attribute == "target-language" else "de"}"', f'{attribute}="{value}"', 1)
    XLF[TEXT].write_text(text, encoding="utf-8")
    refused(import_(), exported, "out/putin-kim.de-en.xlf:3:", "not German→English")


def test_another_documents_xliff_is_refused(exported):
    refused(run("xliff", "import", XLF[TEXT], "--name", "seite"), exported, "is the XLIFF of putin-kim.txt", "seite.po holds seite.html")
    assert PO[HTML].read_bytes() == Path(exported[0] / PO[HTML]).read_bytes()


def test_an_xliff_naming_a_document_without_a_po_is_refused(exported):
    XLF[TEXT].write_text(exported[2].replace('original="putin-kim.txt"', 'original="anderer-artikel.txt"'), encoding="utf-8")
    refused(import_(), exported, "anderer-artikel.po", "no PO catalogue for anderer-artikel.txt")


@pytest.mark.parametrize(
    "inner, problem",
    [
        ("North Korea would always stand behind Putin's decisions.", '<g id="1"> of the source is missing'),
        ('North Korea would <g id="1">always</g> stand <g id="4">behind</g> Putin.', '<g id="4"> is not in the source'),
        ('North Korea would <g id="1">always</g> <x id="2"/>stand.', '<x id="2"/> is not in the source'),
        ('North Korea would <x id="1"/> stand.', '<x id="1"/> stands where the source has <g id="1">'),
        ('North <g id="1">Korea</g> would <g id="1">always</g> stand.', '<g id="1"> appears 2 times'),
        ('North Korea would <g id="1">always</g> <ph id="7">&lt;br&gt;</ph>stand.', "<ph> is not in the source"),
        ('North Korea would <g id="1"></g>always stand.', "<1> encloses no text"),
    ],
)
def test_a_unit_that_loses_or_invents_inline_codes_is_refused_naming_it(exported, inner, problem):
    po = PO[HTML]
    before = po.read_bytes()
    root = parse(XLF[HTML])
    element = unit(root, ALWAYS)
    target(element, inner, "translated", "yes")
    target(units(root)[0], "Another unit's good edit", "translated", "yes")
    save(root, XLF[HTML])
    line = one_line_error(import_(source=HTML), f"out/seite.de-en.xlf:{element.sourceline}:", f"unit {element.get('id')}", problem, "nothing was imported")
    assert "Nordkorea werde" in line
    assert po.read_bytes() == before


def test_a_plain_text_unit_with_inline_codes_is_refused(exported):
    root = parse(XLF[TEXT])
    target(units(root)[1], 'Meeting in <g id="1">Russia</g>', "translated", "yes")
    save(root, XLF[TEXT])
    refused(import_(), exported, '<g id="1"> is not in the source')


def test_malformed_xml_is_refused_with_its_line(exported):
    XLF[TEXT].write_text(exported[2].replace("</source>", "</sauce>", 1), encoding="utf-8")
    refused(import_(), exported, "out/putin-kim.de-en.xlf:", "not well-formed XML")


@pytest.mark.parametrize(
    "text, problem",
    [
        ('<?xml version="1.0"?>\n<tmx version="1.4"><header/><body/></tmx>\n', "not XLIFF 1.2's <xliff>"),
        ('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de"/>\n', "XLIFF 2.0 is not read"),
        (f'<?xml version="1.0"?>\n<xliff xmlns="{NS}" version="1.2"/>\n', "holds 0 <file> elements"),
    ],
)
def test_what_is_no_xliff_1_2_document_is_refused(exported, text, problem):
    XLF[TEXT].write_text(text, encoding="utf-8")
    refused(import_(), exported, problem)


def test_a_unit_id_twice_is_refused(exported):
    root = parse(XLF[TEXT])
    first, second = units(root)[0], units(root)[1]
    second.set("id", first.get("id"))
    save(root, XLF[TEXT])
    refused(import_(), exported, f"out/putin-kim.de-en.xlf:{second.sourceline}:", "appears twice")


# --- the state mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, approved, expected",
    [
        ("new", None, "fuzzy"),
        ("needs-translation", None, "fuzzy"),
        ("needs-review-translation", None, "fuzzy"),
        ("needs-review-translation", "yes", "fuzzy"),
        ("needs-l10n", None, "fuzzy"),
        ("translated", None, "confirmed"),
        ("translated", "yes", "confirmed"),
        ("translated", "no", "fuzzy"),
        ("signed-off", None, "confirmed"),
        ("final", "yes", "final"),
        ("final", "no", "fuzzy"),
        (None, "yes", "confirmed"),
        (None, None, "fuzzy"),
        ("x-unknown", "yes", "confirmed"),
    ],
)
def test_states_map_back(state, approved, expected):
    assert xl.xliff_state(state, approved) == expected


def test_states_map_out():
    entry = polib.POEntry(msgid="a", msgstr="")
    assert xl.po_state(entry) == "empty"
    entry.msgstr, entry.flags = "b", ["fuzzy"]
    assert xl.po_state(entry) == "fuzzy"
    entry.flags = ["fuzzy", "final"]
    assert xl.po_state(entry) == "fuzzy"
    entry.flags = ["no-wrap"]
    assert xl.po_state(entry) == "confirmed"
    entry.flags = ["final"]
    assert xl.po_state(entry) == "final"
    assert [xl.STATES[s] for s in ("empty", "fuzzy", "confirmed", "final")] == ["new", "needs-review-translation", "translated", "final"]


def test_unit_ids_follow_the_po_key():
    assert xl.unit_id(None, "Satz.") == xl.unit_id(None, "Satz.")
    assert xl.unit_id("occurrence 2", "Satz.") != xl.unit_id(None, "Satz.")
    assert xl.unit_id(None, "Satz.").startswith("s") and len(xl.unit_id(None, "Satz.")) == 17


def test_a_draft_offered_for_a_changed_sentence_names_the_earlier_german(project):
    po = PO[TEXT]
    catalog = polib.pofile(str(po))
    entry = [e for e in catalog if e.msgid and not e.obsolete][1]
    entry.previous_msgid = "Treffen in Sibirien"
    catalog.save(str(po))
    export()
    element = unit(parse(XLF[TEXT]), entry.msgid)
    assert element.find("x:target", N).get("state-qualifier") == "fuzzy-match"
    assert "translated for the earlier German: Treffen in Sibirien" in [n.text for n in element.iterfind("x:note", N)]
    xmllint_valid(XLF[TEXT])


# --- the conversion, for any text --------------------------------------------------------------

TRICKY = st.text(alphabet="ab <>/\\12", max_size=8)


@st.composite
def marked_pieces(draw, depth: int = 0, numbers=None):
    """Text with nested elements as tokens: text of `<`, `>`, `/`, digits and backslashes, `<g>` and `<x>`."""
    numbers = numbers if numbers is not None else iter(range(1, 100))
    found = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.sampled_from(["text", "text", "g", "x"] if depth < 3 else ["text", "x"]))
        if choice == "text":
            found.append(("text", draw(TRICKY)))
        elif choice == "x":
            found.append(("point", next(numbers)))
        else:
            number = next(numbers)
            found += [("open", number), *draw(marked_pieces(depth + 1, numbers)), ("close", number)]
    return found


@settings(max_examples=300, deadline=None, derandomize=True)
@given(marked_pieces())
def test_placeholders_survive_xliff_whatever_the_text(pieces):
    from dolmetsch.markup.placeholders import from_placeholders, tokens, untokens, without_placeholders

    text = untokens(pieces)
    assert untokens(tokens(text)) == text
    tags = tuple(Tag(n, "", void=k == "point") for k, n in pieces if k in ("open", "point"))
    plain = "".join(str(v) for k, v in pieces if k == "text")
    assert from_placeholders(text, MarkedText("", (), tags)).text == plain  # read as the PO's own parser reads it
    assert without_placeholders(text) == plain
    element = etree.Element(f"{{{NS}}}target")
    xl.write_content(element, text)
    assert "".join(element.itertext()) == plain
    assert xl.read_content(element)[0] == text


def test_a_control_character_xml_cannot_carry_is_refused_naming_the_po_line(project):
    po = PO[TEXT]
    catalog = polib.pofile(str(po))
    entry = [e for e in catalog if e.msgid and not e.obsolete][2]
    entry.msgstr = "Putin and Kim\x07 stressed cooperation"
    catalog.save(str(po))
    line = next(e.linenum for e in polib.pofile(str(po)) if e.msgid == entry.msgid)
    one_line_error(run("xliff", "export", TEXT), f"putin-kim.po:{line}:", "'\\x07', which XML cannot carry")
    assert not XLF[TEXT].exists()


def test_without_the_export_fingerprint_reviewer_work_is_kept_beside_the_tools(project):
    """A tool that drops `extradata`: a machine draft takes the tool's edit, a confirmed translation keeps the PO's in a comment."""
    po = PO[TEXT]
    reviewed(po, numbers=(0,), final=None, comment=None)
    export()
    root = parse(XLF[TEXT])
    confirmed, draft, approved = sentence(po, 0), sentence(po, 1), sentence(po, 2)
    for element in units(root):
        del element.attrib["extradata"]
    target(unit(root, confirmed.msgid), "The tool's caption", "translated", "yes")
    target(unit(root, draft.msgid), "Meeting in Russia", "translated", "yes")
    unit(root, approved.msgid).find("x:target", N).set("state", "translated")
    save(root, XLF[TEXT])
    result = ok(import_())
    assert result.stderr.count("changed in the PO since the export and in the XLIFF") == 1
    entries = live(po)
    kept = entries[(None, confirmed.msgid)]
    assert (kept.msgstr, "fuzzy" in kept.flags) == ("The tool's caption", True)
    assert confirmed.msgstr in " ".join(kept.tcomment.split())  # a long comment line is wrapped in the file
    assert (entries[(None, draft.msgid)].msgstr, entries[(None, draft.msgid)].flags) == ("Meeting in Russia", [])
    assert entries[(None, approved.msgid)].flags == [] and entries[(None, approved.msgid)].msgstr == approved.msgstr
    msgfmt_check(po)
