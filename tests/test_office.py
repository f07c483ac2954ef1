"""Word and LibreOffice articles end to end: python-docx makes the DOCX, headless LibreOffice makes
the ODT of it and judges the English documents, the CLI runs with the tiny real model.

The sample document holds what a reader sees in a Word article (title and subject, header and
footer with fields, a heading, formatting, a link, a bookmark and a comment in the middle of
sentences, runs cut by revision ids and spell-check marks, a footnote, tracked changes, a tab, a
table with a table nested in it, a list, a text box, a picture). It is translated once per module
as DOCX and as LibreOffice's ODT of it; LibreOffice converts every English document to text in one
call. The tiny model's English is poor: these tests judge the tooling, never the translation.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from lxml import etree

from conftest import ROOT
from dolmetsch.document.inline import MarkedText
from dolmetsch.markup.docx import parse_docx
from dolmetsch.markup.odt import parse_odt
from dolmetsch.markup.placeholders import from_placeholders, to_placeholders
from dolmetsch.sources import expand_sources
from test_markup_flow import build, translate  # the same CLI runs as the HTML and Markdown flows

try:
    import docx
except ImportError:  # python-docx makes the test documents: a test dependency, required in CI
    if os.environ.get("CI"):
        raise
    pytest.skip("python-docx is not installed", allow_module_level=True)
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_office_examples", ROOT / "scripts" / "make_office_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load_script()


def soffice() -> str:
    """LibreOffice is required in CI (it makes the ODT and judges every English document); elsewhere its absence skips."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("soffice (LibreOffice) is required in CI: apt-get install libreoffice-writer-nogui")
        pytest.skip("soffice (LibreOffice) is not installed")
    return found


def convert(paths: list[Path], target: str, folder: Path) -> None:
    """Convert files into `folder` with one headless LibreOffice (a profile of its own)."""
    office = soffice()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(folder), *map(str, paths)],
            capture_output=True, text=True, timeout=240,
        )
    assert done.returncode == 0, done.stderr


def convert_each(paths: list[Path], target: str, folder: Path) -> dict[Path, Path]:
    """As `convert`, each file copied under a name of its own first (LibreOffice names outputs by
    stem); the output of each, by input. Every file must convert."""
    staged = folder / "staged"
    staged.mkdir(parents=True, exist_ok=True)
    copies = {}
    for number, path in enumerate(paths):
        copies[path] = staged / f"f{number}{path.suffix}"
        shutil.copyfile(path, copies[path])
    convert(list(copies.values()), target, folder)
    extension = target.split(":")[0]
    found = {path: folder / f"{copy.stem}.{extension}" for path, copy in copies.items()}
    missing = [str(path) for path, out in found.items() if not out.is_file()]
    assert not missing, f"LibreOffice could not convert {missing}"
    return found


# --- the sample document ---------------------------------------------------------------------------

LEDE_BOLD = "Kim Jong Un"
LEDE_LINK = "Wladimir Putin"
LEDE_ITALIC = "verstärkte"


def _raw(paragraph, xml: str) -> None:
    paragraph._p.append(parse_xml(xml))


def _text_box(paragraph, text: str) -> None:
    """A text box as Word writes it: DrawingML (wps) with a VML fallback holding the same text."""
    declarations = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    _raw(paragraph, (
        f"<w:r {declarations}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="2400000" cy="500000"/>'
        '<wp:docPr id="77" name="Text Box 77"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2400000" cy="500000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx>{content}</wps:txbx>"
        '<wps:bodyPr rot="0" vert="horz" wrap="square" anchor="t"><a:noAutofit/></wps:bodyPr></wps:wsp>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape id="Text Box 77" style="width:189pt;height:39.4pt" type="#_x0000_t202">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    ))


def sample_docx() -> bytes:
    """The sample (see the module's docstring), as python-docx and a few raw elements make it."""
    document = docx.Document()
    make.german_defaults(document)
    core = document.core_properties
    core.title = "Putin und Kim betonten Zusammenarbeit"
    core.subject = "Treffen in Russland"
    footnotes = make.Footnotes(document)

    section = document.sections[0]
    section.header.paragraphs[0].text = "Treffen in Russland"
    footer = section.footer.paragraphs[0]
    footer.add_run("Seite ")
    make.add_field(footer, "PAGE", "1")
    footer.add_run(" von ")
    make.add_field(footer, "NUMPAGES", "1")

    heading = document.add_heading(level=1)
    make.add_bookmark(heading, "Anfang", 1, end=False)
    heading.add_run("Putin und Kim betonten Zusammenarbeit")
    make.add_bookmark_end(heading, 1)

    lede = document.add_paragraph()
    lede.add_run("Bei seinem Treffen mit dem nordkoreanischen Machthaber ")
    lede.add_run(LEDE_BOLD).bold = True
    lede.add_run(" hat der russische ")
    make.add_bookmark(lede, "Praesident", 2, end=False)
    lede.add_run("Präsident")
    make.add_bookmark_end(lede, 2)
    lede.add_run(" ")
    make.add_hyperlink(lede, LEDE_LINK, "https://orf.at/stories/thema/wladimir-putin/")
    lede.add_run(" eine ")
    lede.add_run(LEDE_ITALIC).italic = True
    lede.add_run(" ")
    make.add_split_run(lede, "Zusammenarbeit", 8)
    lede.add_run(" angekündigt.")
    footnotes.add(lede, "Laut russischem Staatsfernsehen.")
    troops = lede.add_run(" Kim pries die Truppen.")

    changed = document.add_paragraph("Kim besuchte ")
    _raw(changed, f'<w:del {nsdecls("w")} w:id="91" w:author="Redaktion" w:date="2023-09-13T12:00:00Z"><w:r><w:delText xml:space="preserve">gestern </w:delText></w:r></w:del>')
    _raw(changed, f'<w:ins {nsdecls("w")} w:id="92" w:author="Redaktion" w:date="2023-09-13T12:00:00Z"><w:r><w:t xml:space="preserve">heute </w:t></w:r></w:ins>')
    changed.add_run("Russland.")
    changed.add_run().add_tab()
    changed.add_run("Putin traf Kim.")

    dated = document.add_paragraph("Stand: ")
    make.add_complex_field(dated, "DATE \\@ \"d. MMMM yyyy\"", "13. September 2023")
    dated.add_run(" laut Kreml.")

    document.add_heading("Wer war dabei", level=2)
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "Wladimir Putin"
    table.cell(0, 1).text = "Russischer Präsident"
    table.cell(1, 0).text = "Kim Jong Un"
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Nordkorea"
    inner.cell(0, 1).text = "Machthaber"
    for item in ("Waffenlieferungen an Russland", "Hilfe beim Bau von Satelliten"):
        document.add_paragraph(item, style="List Bullet")
    boxed = document.add_paragraph()
    _text_box(boxed, "Kim besuchte Russland.")
    document.add_picture(io.BytesIO(make.tiny_png()))
    document.add_paragraph("Russischer Präsident Wladimir Putin", style="Caption")
    make.fixed_comment_date(document.add_comment([troops], text="Quelle prüfen.", author="Redaktion", initials="RD"))
    footnotes.finish()
    return make.saved(document)


# --- running -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    root: Path
    source: Path

    @property
    def suffix(self) -> str:
        return self.source.suffix

    @property
    def english(self) -> Path:
        return self.root / "out" / f"{self.source.stem}.en{self.suffix}"

    @property
    def po(self) -> Path:
        return self.root / "locales" / "en" / "LC_MESSAGES" / f"{self.source.stem}.po"

    def copy(self, target: Path) -> "Run":
        shutil.copytree(self.root, target)
        return Run(target, target / self.source.name)


class Lazy(dict):
    """Made on first use, by key, then kept for the module: the DOCX needs no LibreOffice, so a
    test of the DOCX alone runs (and one of the ODT skips) where LibreOffice is missing."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Lazy:
    """The sample as DOCX and as LibreOffice's ODT of it, by suffix."""
    folder = tmp_path_factory.mktemp("office-sources")
    sample = folder / "sample.docx"
    sample.write_bytes(sample_docx())

    def make(kind: str) -> Path:
        if kind == "docx":
            return sample
        convert([sample], "odt", folder)
        assert (folder / "sample.odt").is_file()
        return folder / "sample.odt"

    return Lazy(make)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, sources) -> Lazy:
    """The sample translated as DOCX and as ODT (a folder each), by suffix (in the first test that
    asks, whose home conftest's `isolated_argos` has made)."""

    def make(kind: str) -> Run:
        root = tmp_path_factory.mktemp(f"office-{kind}")
        source = root / sources[kind].name
        shutil.copyfile(sources[kind], source)
        result = translate(source, root)
        assert result.exit_code == 0, result.output
        return Run(root, source)

    return Lazy(make)


REVIEWED_WORDS = ("At his meeting with the North Korean ruler Kim Jong Un, the Russian President Vladimir Putin announced "
                  "closer cooperation.").split()
REVIEWED_AT = (1, 5, 7, 14)
"""Where the reviewer puts the lede's elements, in order: bold on `his`, the bookmark on `North`,
the link on `ruler`, italic on `Vladimir` (the machine put them elsewhere)."""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, runs) -> Lazy:
    """Each run with the lede's first sentence reviewed and built again, by suffix."""

    def make(kind: str) -> Run:
        copy = runs[kind].copy(tmp_path_factory.mktemp(f"office-reviewed-{kind}") / "run")
        catalog = polib.pofile(str(copy.po))
        entry = next(e for e in catalog if e.msgid.startswith("Bei seinem Treffen"))
        numbers = sorted({int(n) for n in re.findall(r"<(\d+)>", entry.msgid)})
        words = list(REVIEWED_WORDS)
        for number, at in zip(numbers, REVIEWED_AT):
            words[at] = f"<{number}>{words[at]}</{number}>"
        entry.msgstr = " ".join(words) + "".join(re.findall(r"<\d+/>", entry.msgid))
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        catalog.save(str(copy.po))
        result = build(copy.source, copy.root)
        assert result.exit_code == 0, result.output
        return copy

    return Lazy(make)


@pytest.fixture(scope="module")
def judged(tmp_path_factory, runs, reviewed) -> dict[Path, str]:
    """Every English document, machine and reviewed, DOCX and ODT, converted to text by one
    LibreOffice: its text, by path."""
    soffice()
    paths = [runs[kind].english for kind in ("docx", "odt")] + [reviewed[kind].english for kind in ("docx", "odt")]
    converted = convert_each(paths, "txt:Text", tmp_path_factory.mktemp("office-judged"))
    return {path: out.read_text(encoding="utf-8-sig") for path, out in converted.items()}


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def parse(path: Path):
    data = path.read_bytes()
    return (parse_odt if path.suffix == ".odt" else parse_docx)(data, str(path))


def units_by_text(path: Path) -> dict[str, object]:
    return {u.marked.text: u for u in parse(path).units}


# --- reading ---------------------------------------------------------------------------------------


def test_every_part_a_reader_sees_is_a_unit(sources):
    units = parse(sources["docx"]).units
    kinds = {u.kind for u in units}
    assert {"attribute", "header", "footer", "heading", "paragraph", "table cell", "list item", "text box", "footnote",
            "comment", "caption"} <= kinds
    texts = [u.marked.text for u in units]
    assert texts[:3] == ["Putin und Kim betonten Zusammenarbeit", "Treffen in Russland", "Treffen in Russland"]  # title, subject, header
    assert {"Nordkorea", "Machthaber"} <= set(texts)  # the nested table
    assert texts.count("Kim besuchte Russland.") == 1  # the text box once, though Word writes it twice
    assert "Laut russischem Staatsfernsehen." in texts and "Quelle prüfen." in texts


def test_runs_are_sentences_not_fragments(sources):
    """Revision ids, spell-check marks and the bookmark cut no sentence; formatting is one span each."""
    lede = next(u for u in parse(sources["docx"]).units if u.marked.text.startswith("Bei seinem"))
    shown = to_placeholders(lede.marked)
    assert shown == (
        "Bei seinem Treffen mit dem nordkoreanischen Machthaber <1>Kim Jong Un</1> hat der russische "
        "<2>Präsident</2> <3>Wladimir Putin</3> eine <4>verstärkte</4> Zusammenarbeit angekündigt.<5/> "
        "<6>Kim pries die Truppen.</6>"
    )
    names = [t.name for t in lede.marked.tags]
    assert names == ["b", "bookmark", "link", "i", "footnote", "comment"]
    assert names.count("b") == 1 and names.count("i") == 1 and "bookmark" in names and "footnote" in names



def test_tracked_changes_fields_and_tabs_keep_their_place(sources):
    units = units_by_text(sources["docx"])
    changed = next(u for text, u in units.items() if text.startswith("Kim besuchte") and "heute" in text)
    assert to_placeholders(changed.marked).startswith("Kim besuchte <1/><2>heute</2> Russland.<3/>")
    dated = next(u for text, u in units.items() if text.startswith("Stand:"))
    assert to_placeholders(dated.marked) == "Stand: <1/> laut Kreml."
    footer = next(u for u in units.values() if u.kind == "footer")
    assert to_placeholders(footer.marked) == "Seite <1/> von"


def test_the_odt_reads_as_the_docx_does(sources):
    """LibreOffice's ODT of the sample has the same sentences as the DOCX."""
    from_docx = {u.marked.text for u in parse(sources["docx"]).units}
    from_odt = {u.marked.text for u in parse(sources["odt"]).units}
    assert from_docx == from_odt
    lede = next(u for u in parse(sources["odt"]).units if u.marked.text.startswith("Bei seinem"))
    names = [t.name for t in lede.marked.tags]
    assert names.count("b") == 1 and names.count("i") == 1 and "bookmark" in names and "footnote" in names


def test_libreoffice_spans_that_differ_only_in_revision_ids_are_one(sources, tmp_path):
    with zipfile.ZipFile(sources["odt"]) as archive:
        content = archive.read("content.xml").decode("utf-8")
    styles = (
        '<style:style style:name="R1" style:family="text"><style:text-properties officeooo:rsid="0011aa" fo:font-weight="bold"/></style:style>'
        '<style:style style:name="R2" style:family="text"><style:text-properties officeooo:rsid="0022bb" fo:font-weight="bold" fo:language="de" fo:country="AT"/></style:style>'
    )
    content = content.replace("</office:automatic-styles>", styles + "</office:automatic-styles>", 1)
    if 'xmlns:officeooo="' not in content:
        content = content.replace("<office:document-content ", '<office:document-content xmlns:officeooo="http://openoffice.org/2009/office" ', 1)
    content = content.replace(
        ">Putin traf Kim.<",
        '>Putin <text:span text:style-name="R1">traf </text:span><text:span text:style-name="R2">K</text:span>'
        '<text:span text:style-name="R1">im</text:span>.<', 1,
    )
    edited = tmp_path / "edited.odt"
    with zipfile.ZipFile(sources["odt"]) as archive, zipfile.ZipFile(edited, "w") as target:
        for info in archive.infolist():
            target.writestr(info, content.encode("utf-8") if info.filename == "content.xml" else archive.read(info))
    unit = next(u for u in parse(edited).units if "Putin traf Kim." in u.marked.text)
    assert to_placeholders(unit.marked).endswith("<3/> Putin <4>traf Kim</4>.")


def test_a_folder_picks_up_word_and_libreoffice_files(sources):
    assert expand_sources([str(sources["docx"].parent)]) == [str(sources["docx"]), str(sources["odt"])]


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_a_translation_that_is_the_german_gives_the_package_back_byte_for_byte(sources, kind):
    package = parse(sources[kind])
    written = package.render_bytes({u.id: u.marked for u in package.units}, lang=None)
    with zipfile.ZipFile(sources[kind]) as before, zipfile.ZipFile(io.BytesIO(written)) as after:
        assert [(i.filename, i.compress_type) for i in before.infolist()] == [(i.filename, i.compress_type) for i in after.infolist()]
        assert all(before.read(name) == after.read(name) for name in before.namelist())


@pytest.mark.parametrize("example", ["putin-kim.docx", "putin-kim.odt"])
def test_the_bundled_examples_read_alike(example):
    units = parse(ROOT / "examples" / example).units
    texts = [u.marked.text for u in units]
    assert texts[0] == "Putin und Kim betonten Zusammenarbeit" and len(units) > 40
    lede = next(u for u in units if u.marked.text.startswith("Bei seinem Treffen"))
    assert to_placeholders(lede.marked).startswith(
        "Bei seinem Treffen mit dem nordkoreanischen Machthaber <1>Kim Jong Un</1> hat der russische Präsident "
        "<2>Wladimir Putin</2> am Mittwoch eine verstärkte Zusammenarbeit"
    )


# --- the English documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_translate_writes_the_english_document_and_the_usual_files(runs, kind):
    found = runs[kind]
    stem = found.source.stem
    for path in (found.english, found.po, found.root / "locales" / f"{stem}.pot", found.root / "out" / f"{stem}.de-en.tsv",
                 found.root / "out" / f"{stem}.review.html", found.root / "out" / f"{stem}.glossary.json"):
        assert path.is_file(), path
    assert "<1>Kim Jong Un</1>" in found.po.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_libreoffice_opens_the_english_and_it_is_english(runs, judged, kind):
    found = runs[kind]
    text = judged[found.english]
    assert "Russia" in text and "Putin" in text
    german = [u for u in parse(found.source).units if u.kind not in ("attribute", "header", "footer", "footnote", "comment")]
    english = {u.marked.text for u in parse(found.english).units}
    translated = [u for u in german if u.marked.text not in english]
    assert len(translated) >= len(german) - 5  # names (Kim Jong Un, Nordkorea) may stay as they are
    for unit in translated:
        if len(unit.marked.text.split()) >= 4:  # not a name
            assert unit.marked.text not in text


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_parts_without_text_are_kept_byte_for_byte(runs, kind):
    before, after = members(runs[kind].source), members(runs[kind].english)
    assert list(before) == list(after)
    text_parts = {"docx": {"docProps/core.xml", "word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footnotes.xml",
                           "word/comments.xml"},
                  "odt": {"meta.xml", "styles.xml", "content.xml"}}[kind]
    changed = {name for name in before if before[name] != after[name]}
    assert changed == text_parts
    kept = set(before) - text_parts
    if kind == "docx":
        assert {"word/styles.xml", "word/numbering.xml", "word/settings.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"} <= kept
        assert any(name.startswith("word/media/") for name in kept)
    else:
        assert {"mimetype", "META-INF/manifest.xml", "settings.xml"} <= kept
        with zipfile.ZipFile(runs[kind].english) as archive:
            first = archive.infolist()[0]
            assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def _count(xml: bytes, *tags: str) -> dict[str, int]:
    root = etree.fromstring(xml)
    return {tag: sum(1 for _ in root.iter(tag)) for tag in tags}


def test_word_keeps_styles_numbering_pictures_fields_and_marks(runs):
    before, after = members(runs["docx"].source), members(runs["docx"].english)
    kept = [f"{{{W}}}{name}" for name in ("pStyle", "numPr", "drawing", "tbl", "fldSimple", "fldChar", "instrText", "bookmarkStart",
                                            "bookmarkEnd", "footnoteReference", "commentRangeStart", "commentRangeEnd",
                                            "commentReference", "ins", "del", "delText", "tab", "sectPr", "hyperlink")]
    assert _count(before["word/document.xml"], *kept) == _count(after["word/document.xml"], *kept)
    for part in ("word/footer1.xml",):
        assert _count(before[part], f"{{{W}}}fldSimple") == _count(after[part], f"{{{W}}}fldSimple")
    source, english = etree.fromstring(before["word/document.xml"]), etree.fromstring(after["word/document.xml"])
    assert etree.tostring(source.find(f".//{{{W}}}sectPr")) == etree.tostring(english.find(f".//{{{W}}}sectPr"))
    choice, fallback = (english.find(f".//{{http://schemas.openxmlformats.org/markup-compatibility/2006}}{name}") for name in ("Choice", "Fallback"))
    boxes = [b"".join(etree.tostring(p) for p in part.iter(f"{{{W}}}p")) for part in (choice, fallback)]
    assert boxes[0] == boxes[1] and b"Kim besuchte Russland." not in boxes[0]  # the VML fallback is the translated box


def test_libreoffice_keeps_styles_notes_fields_and_marks(runs):
    before, after = members(runs["odt"].source), members(runs["odt"].english)
    kept = [f"{{{TEXT}}}{name}" for name in ("note", "list", "bookmark-start", "bookmark-end", "tab", "page-number", "h")]
    kept += [f"{{{OFFICE}}}annotation", "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table",
             "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame"]
    assert _count(before["content.xml"], *kept) == _count(after["content.xml"], *kept)
    old, new = etree.fromstring(before["styles.xml"]), etree.fromstring(after["styles.xml"])
    assert etree.tostring(old.find(f"{{{OFFICE}}}styles")) == etree.tostring(new.find(f"{{{OFFICE}}}styles"))


def test_translated_word_runs_are_tagged_english(runs):
    english = members(runs["docx"].english)
    for part in ("word/document.xml", "word/footnotes.xml", "word/comments.xml", "word/header1.xml"):
        root = etree.fromstring(english[part])
        for run_ in root.iter(f"{{{W}}}r"):
            if run_.find(f"{{{W}}}t") is None or run_.getparent().tag == f"{{{W}}}del":
                continue
            lang = run_.find(f"{{{W}}}rPr/{{{W}}}lang")
            in_field = run_.getparent().tag == f"{{{W}}}fldSimple" or run_.getprevious() is not None and run_.getprevious().find(f".//{{{W}}}fldChar") is not None
            assert in_field or (lang is not None and lang.get(f"{{{W}}}val") == "en-GB"), etree.tostring(run_)
    core = etree.fromstring(english["docProps/core.xml"])
    assert core.find("{http://purl.org/dc/elements/1.1/}language").text == "en-GB"


def _odt_styles(root) -> dict[str, dict]:
    found = {}
    for style in root.iter(f"{{{STYLE}}}style"):
        properties = style.find(f"{{{STYLE}}}text-properties")
        found[style.get(f"{{{STYLE}}}name")] = dict(properties.attrib) if properties is not None else {}
    return found


def test_translated_libreoffice_text_is_tagged_english(runs):
    english = members(runs["odt"].english)
    for part in ("content.xml", "styles.xml"):
        root = etree.fromstring(english[part])
        styles = _odt_styles(root)
        for paragraph in root.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
            if part == "styles.xml" and not any("header" in a.tag or "footer" in a.tag for a in paragraph.iterancestors()):
                continue
            if any(a.tag == f"{{{TEXT}}}tracked-changes" for a in paragraph.iterancestors()):
                continue  # deleted text, kept as it was
            if paragraph.text and paragraph.text.strip():
                pytest.fail(f"text outside an English span: {paragraph.text!r}")
            for span in paragraph.iterchildren(f"{{{TEXT}}}span"):
                if span.text and span.text.strip():
                    properties = styles[span.get(f"{{{TEXT}}}style-name")]
                    assert (properties.get(f"{{{FO}}}language"), properties.get(f"{{{FO}}}country")) == ("en", "GB")


def _odt_text(element) -> str:
    """An ODT element's own text, `text:s` as spaces (notes and comments inside left out)."""
    out = [element.text or ""]
    for child in element:
        if child.tag == f"{{{TEXT}}}s":
            out.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif child.tag in (f"{{{TEXT}}}span", f"{{{TEXT}}}a"):
            out.append(_odt_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _stretches(kind: str, path: Path, paragraph_start: str) -> dict[str, list[str]]:
    """The text of each bold, italic and linked stretch in the English paragraph that starts so."""
    data = members(path)
    found = {"b": [], "i": [], "link": []}
    if kind == "docx":
        root = etree.fromstring(data["word/document.xml"])
        paragraph = next(p for p in root.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith(paragraph_start))
        previous = {"b": False, "i": False}
        for child in paragraph:
            if child.tag == f"{{{W}}}hyperlink":
                found["link"].append("".join(t.text or "" for t in child.iter(f"{{{W}}}t")))
            runs_ = [child] if child.tag == f"{{{W}}}r" else list(child.iter(f"{{{W}}}r"))
            for run_ in runs_:
                text = "".join(t.text or "" for t in run_.iter(f"{{{W}}}t"))
                if not text:
                    continue
                for name in ("b", "i"):
                    on = run_.find(f"{{{W}}}rPr/{{{W}}}{name}") is not None
                    if on and previous[name]:
                        found[name][-1] += text
                    elif on:
                        found[name].append(text)
                    previous[name] = on
        return found
    root = etree.fromstring(data["content.xml"])
    styles = _odt_styles(root)
    paragraph = next(p for p in root.iter(f"{{{TEXT}}}p") if _odt_text(p).startswith(paragraph_start))
    for link in paragraph.iter(f"{{{TEXT}}}a"):
        found["link"].append(_odt_text(link))
    previous = {"b": False, "i": False}
    for span in paragraph.iter(f"{{{TEXT}}}span"):
        properties = styles.get(span.get(f"{{{TEXT}}}style-name"), {})
        text = _odt_text(span)
        if not text.strip():
            continue
        for name, key, value in (("b", f"{{{FO}}}font-weight", "bold"), ("i", f"{{{FO}}}font-style", "italic")):
            on = properties.get(key) == value
            if on and previous[name]:
                found[name][-1] += text
            elif on:
                found[name].append(text)
            previous[name] = on
    return found


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_bold_italic_and_link_appear_once_each_around_english_words(runs, kind):
    english = units_by_text(runs[kind].english)
    lede = next(u for text, u in english.items() if "Kim pries" not in text and u.kind == "paragraph" and any(t.name == "b" for t in u.marked.tags))
    found = _stretches(kind, runs[kind].english, lede.marked.text[:20])
    for name in ("b", "i", "link"):
        assert len(found[name]) == 1 and found[name][0].strip(), (name, found)


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_a_reviewed_po_builds_back_with_the_reviewers_placement(reviewed, kind):
    stretches = _stretches(kind, reviewed[kind].english, "At his meeting")
    assert stretches["b"] == ["his"] and stretches["link"] == ["ruler"] and stretches["i"] == ["Vladimir"]


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_libreoffice_opens_the_reviewed_english(reviewed, judged, kind):
    assert " ".join(REVIEWED_WORDS) in judged[reviewed[kind].english]


def test_a_placeholder_lost_in_review_is_refused_in_one_line(runs, tmp_path):
    copy = runs["docx"].copy(tmp_path / "run")
    catalog = polib.pofile(str(copy.po))
    entry = next(e for e in catalog if e.msgid.startswith("Bei seinem Treffen"))
    entry.msgstr = "At his meeting with Kim Jong Un, the Russian President announced closer cooperation."
    entry.flags = []
    catalog.save(str(copy.po))
    before = copy.english.read_bytes()
    result = build(copy.source, copy.root)
    assert result.exit_code == 2
    assert "placeholder" in result.output
    assert copy.english.read_bytes() == before


# --- refusals ------------------------------------------------------------------------------------------


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _damaged(path: Path, sample: bytes, member: str) -> Path:
    """The sample with bytes in the middle of a member's compressed data flipped (its CRC fails)."""
    info = zipfile.ZipFile(io.BytesIO(sample)).getinfo(member)
    data = bytearray(sample)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _large(path: Path, good: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in good.items():
            archive.writestr(name, data)
        archive.writestr("word/media/huge.bin", os.urandom(51 * 1024 * 1024))
    return path


def _bad_docx(name: str, folder: Path, sample: Path) -> tuple[Path, str]:
    data = sample.read_bytes()
    good = members(sample)
    if name == "not a zip":
        (folder / "text.docx").write_text("Kim besuchte Russland.\n", encoding="utf-8")
        return folder / "text.docx", "not a DOCX file (a DOCX file is a zip package)"
    if name == "a zip that is no DOCX":
        return _zip(folder / "other.docx", {"a.txt": b"Hallo"}), "a zip, but not a Word document"
    if name == "no main part":
        return _zip(folder / "hollow.docx", {k: v for k, v in good.items() if k != "word/document.xml"}), "not a Word document (no main document part)"
    if name == "over the size limit":
        return _large(folder / "large.docx", good), "larger than 50 MB"
    if name == "encrypted":
        (folder / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
        return folder / "locked.docx", "encrypted (password-protected)"
    if name == "cut short":
        (folder / "cut.docx").write_bytes(data[: len(data) // 2])
        return folder / "cut.docx", "not a readable DOCX file"
    if name == "a damaged member":
        return _damaged(folder / "damaged.docx", data, "word/document.xml"), "word/document.xml in the package is corrupt"
    if name == "malformed XML":
        broken = dict(good, **{"word/document.xml": good["word/document.xml"][:-40]})
        return _zip(folder / "broken.docx", broken), "word/document.xml in the package is not well-formed XML"
    if name == "entity declarations":
        body = good["word/document.xml"].split(b"?>", 1)[1]
        entity = dict(good, **{"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>' + body})
        return _zip(folder / "entity.docx", entity), "XML with a DOCTYPE"
    raise AssertionError(name)


def _bad_odt(name: str, folder: Path, sample: Path) -> tuple[Path, str]:
    good = members(sample)
    if name == "an ODT of another kind":
        return _zip(folder / "sheet.odt", dict(good, mimetype=b"application/vnd.oasis.opendocument.spreadsheet")), "not an OpenDocument text"
    if name == "an encrypted ODT":
        manifest = good["META-INF/manifest.xml"].replace(
            b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
            b'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
            b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
        )
        assert manifest != good["META-INF/manifest.xml"]
        return _zip(folder / "locked.odt", dict(good, **{"META-INF/manifest.xml": manifest})), "encrypted (password-protected)"
    raise AssertionError(name)


@pytest.mark.parametrize("case", ["not a zip", "a zip that is no DOCX", "no main part", "over the size limit", "encrypted", "cut short",
                                  "a damaged member", "malformed XML", "entity declarations", "an ODT of another kind", "an encrypted ODT"])
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(tmp_path, sources, case):
    if "ODT" in case:
        path, message = _bad_odt(case, tmp_path, sources["odt"])
    else:
        path, message = _bad_docx(case, tmp_path, sources["docx"])
    root = tmp_path / "run"
    result = translate(path, root)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"dolmetsch: error: {path}: ") and message in lines[0], result.output
    assert not root.exists()


def test_the_english_of_a_unit_must_hold_its_elements(sources):
    package = parse(sources["docx"])
    lede = next(u for u in package.units if u.marked.text.startswith("Bei seinem"))
    with pytest.raises(ValueError, match="each element once"):
        package.render_bytes({lede.id: MarkedText("At his meeting.")})
    english = from_placeholders(to_placeholders(lede.marked), lede.marked)
    assert package.render_bytes({lede.id: english}, lang=None) == package.render_bytes({}, lang=None)


def test_formatting_that_crosses_is_cut_so_elements_nest():
    """Bold over `Kim Jong`, italic over `Jong Un`: italic is cut where bold ends, and the English
    runs get each stretch's own properties back, bold and italic together where both were."""
    document = docx.Document()
    make.german_defaults(document)
    paragraph = document.add_paragraph("Heute traf ")
    paragraph.add_run("Kim ").bold = True
    both = paragraph.add_run("Jong")
    both.bold = both.italic = True
    paragraph.add_run(" Un").italic = True
    paragraph.add_run(" Putin.")
    package = parse_docx(make.saved(document), "crossing.docx")
    [unit] = package.units
    assert to_placeholders(unit.marked) == "Heute traf <1>Kim <2>Jong</2></1> <3>Un</3> Putin."
    english = from_placeholders("Today <1>Kim <2>Jong</2></1> <3>Un</3> met Putin.", unit.marked)
    written = zipfile.ZipFile(io.BytesIO(package.render_bytes({unit.id: english}))).read("word/document.xml")
    runs_ = [(("".join(t.text for t in r.iter(f"{{{W}}}t"))), sorted(etree.QName(c).localname for c in r.find(f"{{{W}}}rPr")))
             for r in etree.fromstring(written).iter(f"{{{W}}}r")]
    assert runs_ == [("Today ", ["lang"]), ("Kim ", ["b", "lang"]), ("Jong", ["b", "i", "lang"]), (" ", ["lang"]),
                     ("Un", ["i", "lang"]), (" met Putin.", ["lang"])]
