"""Make the Word and LibreOffice examples: `examples/putin-kim.docx` and `examples/putin-kim.odt`.

The DOCX is written with python-docx from `examples/putin-kim.txt`, laid out as a newspaper article
in Word would be: the title and subject in the document properties, a title and headings, a picture
with its caption, bold, italic and linked words in the middle of sentences, a footnote, a comment, a
table, a bulleted list, a header and a footer with a page-number field, and runs cut as Word cuts
them (spell-check marks, revision ids, a bookmark). The ODT is LibreOffice's conversion of that DOCX
(`soffice --headless --convert-to odt`).

    .venv/bin/python scripts/make_office_examples.py            # both examples
    .venv/bin/python scripts/make_office_examples.py --no-odt   # the DOCX only

The helpers (`add_hyperlink`, `Footnotes`, `add_field`, `add_split_run`, `german_defaults`, …) are
also what tests/test_office.py builds its small documents with.
"""

from __future__ import annotations

import argparse
import datetime
import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "examples" / "putin-kim.txt"
DOCX = ROOT / "examples" / "putin-kim.docx"
ODT = ROOT / "examples" / "putin-kim.odt"
FIXED_TIME = (2023, 9, 13, 12, 0, 0)
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


# --- helpers ---------------------------------------------------------------------------------------


def german_defaults(document) -> None:
    """German as the document's language (docDefaults), and a `Hyperlink` character style."""
    lang = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:lang"))
    lang.set(qn("w:val"), "de-DE")
    lang.set(qn("w:eastAsia"), "de-DE")
    if "Hyperlink" not in [s.name for s in document.styles]:
        style = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        style.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        style.font.underline = True
    core = document.core_properties
    core.language = "de-DE"
    core.author = "ORF.at"
    core.created = core.modified = datetime.datetime(*FIXED_TIME)
    core.last_modified_by = "ORF.at"
    core.comments = ""
    core.revision = 1


def add_hyperlink(paragraph, text: str, url: str, *, bold: bool = False):
    """A link with one run of `text` (style Hyperlink) at the end of `paragraph`; returns the w:hyperlink."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    if bold:
        properties.append(OxmlElement("w:b"))
    run.append(properties)
    run.append(_text(text))
    link.append(run)
    paragraph._p.append(link)
    return link


def _text(text: str):
    element = OxmlElement("w:t")
    element.text = text
    if text != text.strip():
        element.set(qn("xml:space"), "preserve")
    return element


def add_split_run(paragraph, text: str, cut: int, *, rsids=("00A1B2C3", "00D4E5F6"), proof: bool = True, bold: bool = False):
    """`text` as Word leaves it after editing: two runs with the same formatting but different
    revision ids, cut at `cut`, with spell-check marks (w:proofErr) around the cut word."""
    if proof:
        start = OxmlElement("w:proofErr")
        start.set(qn("w:type"), "spellStart")
        paragraph._p.append(start)
    for index, piece in enumerate((text[:cut], text[cut:])):
        run = paragraph.add_run(piece, style=None)
        run.bold = bold or None
        run._r.set(qn("w:rsidR"), rsids[index])
        run._r.set(qn("w:rsidRPr"), rsids[index])
        if piece != piece.strip():
            run._r.find(qn("w:t")).set(qn("xml:space"), "preserve")
    if proof:
        end = OxmlElement("w:proofErr")
        end.set(qn("w:type"), "spellEnd")
        paragraph._p.append(end)


def add_bookmark(paragraph, name: str, id: int, *, end: bool = True) -> None:
    """A bookmark start (and end) at the current end of `paragraph`."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(id))
    start.set(qn("w:name"), name)
    paragraph._p.append(start)
    if end:
        add_bookmark_end(paragraph, id)


def add_bookmark_end(paragraph, id: int) -> None:
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(id))
    paragraph._p.append(end)


def add_field(paragraph, instruction: str, shown: str) -> None:
    """A simple field (`PAGE`, `NUMPAGES`, `DATE`) with its last shown result."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    run.append(_text(shown))
    field.append(run)
    paragraph._p.append(field)


def add_complex_field(paragraph, instruction: str, shown: str) -> None:
    """A field as Word writes most of them: begin, instruction, separate, result, end, one run each."""
    def run(*children):
        element = OxmlElement("w:r")
        for child in children:
            element.append(child)
        paragraph._p.append(element)

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(char("begin"))
    run(instr)
    run(char("separate"))
    run(_text(shown))
    run(char("end"))


class Footnotes:
    """Footnotes for a python-docx document (which writes none itself): `add` puts the reference
    into a paragraph, `finish` adds the footnotes part before saving."""

    def __init__(self, document):
        self.document = document
        self.notes: list[str] = []

    def add(self, paragraph, text: str) -> None:
        self.notes.append(text)
        paragraph._p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{len(self.notes)}"/></w:r>'
        ))

    def finish(self) -> None:
        if not self.notes:
            return
        body = "".join(
            f'<w:footnote w:id="{number}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
            f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {_escape(text)}</w:t></w:r></w:p></w:footnote>'
            for number, text in enumerate(self.notes, 1)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:footnotes {nsdecls("w", "r")}>'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
            f"{body}</w:footnotes>"
        )
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, xml.encode("utf-8"), self.document.part.package)
        self.document.part.relate_to(part, RT.FOOTNOTES)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fixed_comment_date(comment) -> None:
    """python-docx dates a comment now: the examples date it FIXED_TIME, so the script makes the same file."""
    comment._comment_elm.set(qn("w:date"), datetime.datetime(*FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ"))


def tiny_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small solid PNG, made here so the examples need no image file."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def saved(document) -> bytes:
    """The document's bytes, every zip member dated FIXED_TIME, so the same script makes the same file."""
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_dates(buffer.getvalue())


def fixed_dates(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def to_odt(docx_paths: list[Path], folder: Path, *, timeout: int = 180) -> None:
    """Convert DOCX files into ODT files in `folder` with headless LibreOffice (one process for all).

    A profile folder of its own keeps the conversion from touching (or waiting on) a running office.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice (LibreOffice) is not installed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "odt",
             "--outdir", str(folder), *map(str, docx_paths)],
            check=True, capture_output=True, timeout=timeout,
        )


# --- the article -----------------------------------------------------------------------------------


def article(text: str) -> bytes:
    """The bundled article as a Word document (see the module's docstring)."""
    blocks = [block.splitlines() for block in text.strip().split("\n\n")]
    document = docx.Document()
    german_defaults(document)
    core = document.core_properties
    core.title = blocks[1][0]
    core.subject = blocks[0][2]
    core.keywords = "Russland; Nordkorea"
    footnotes = Footnotes(document)

    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = "ORF.at – Ausland"
    footer = section.footer.paragraphs[0]
    footer.add_run("Seite ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" von ")
    add_field(footer, "NUMPAGES", "2")

    document.add_paragraph(blocks[0][2], style="Subtitle")  # the kicker: Treffen in Russland
    title = document.add_paragraph(style="Title")
    add_bookmark(title, "_Toc1", 0, end=False)
    title.add_run(blocks[1][0])
    add_bookmark_end(title, 0)
    document.add_picture(io.BytesIO(tiny_png()), width=Pt(120))
    caption = document.add_paragraph(style="Caption")
    caption.add_run(blocks[0][0] + " ")
    caption.add_run(blocks[0][1]).italic = True

    lists = {
        "Kim erhielt Autogrammkarten": ["Zusammenarbeit im Weltraum", "Waffenlieferungen an Russland", "Energie- und Nahrungsmittelhilfe für Nordkorea"],
    }
    for block in blocks[2:]:
        if len(block) == 3:  # a picture: caption, credit, line
            document.add_picture(io.BytesIO(tiny_png(rgb=(30, 60, 200))), width=Pt(120))
            paragraph = document.add_paragraph(style="Caption")
            paragraph.add_run(block[0] + ". ")
            paragraph.add_run(block[2] + ". ")
            paragraph.add_run(block[1]).italic = True
            continue
        line = block[0]
        if not line.endswith((".", "“", ":", "!", "?")) or line.startswith("Kim: "):
            if line.startswith("Krisai"):
                document.add_paragraph(line, style="Quote")
            else:
                document.add_heading(line, level=2)
                if line in lists:
                    for item in lists[line]:
                        document.add_paragraph(item, style="List Bullet")
            continue
        paragraph = document.add_paragraph()
        _formatted(document, paragraph, line, footnotes)
        if line.startswith("Die beiden Staatschefs"):
            _table(document)
    comment_on = next(p for p in document.paragraphs if "RIA Nowosti" in p.text)
    runs = [r for r in comment_on.runs if "RIA Nowosti" in r.text]
    if runs:
        comment = document.add_comment(runs, text="Staatliche russische Nachrichtenagentur, Quelle prüfen.", author="Redaktion", initials="RD")
        fixed_comment_date(comment)
    footnotes.finish()
    return saved(document)


def _formatted(document, paragraph, line: str, footnotes: Footnotes) -> None:
    """A paragraph with the formatting a Word article would have, in the middle of its sentences."""
    marks = [
        ("Kim Jong Un", "bold"),
        ("Wladimir Putin", "https://orf.at/stories/thema/wladimir-putin/"),
        ("immer", "italic"),
        ("Wostotschny", "https://orf.at/stories/thema/kosmodrom-wostotschny/"),
        ("RIA Nowosti", "comment"),
        ("„Militäroperation“", "footnote"),
        ("Zusammenarbeit", "split"),
        ("Imperialismus", "italic"),
    ]
    if not paragraph_wants_marks(line):
        paragraph.add_run(line)
        return
    position = 0
    while position < len(line):
        found = [(line.find(word, position), word, how) for word, how in marks if line.find(word, position) >= 0]
        if not found:
            paragraph.add_run(line[position:])
            break
        at, word, how = min(found)
        if at > position:
            paragraph.add_run(line[position:at])
        if how == "bold":
            paragraph.add_run(word).bold = True
        elif how == "italic":
            paragraph.add_run(word).italic = True
        elif how.startswith("https://"):
            add_hyperlink(paragraph, word, how)
        elif how == "split":
            add_split_run(paragraph, word, 7)
        elif how == "footnote":
            paragraph.add_run(word)
            footnotes.add(paragraph, "Russland nennt den Angriffskrieg gegen die Ukraine eine „militärische Spezialoperation“.")
        else:
            paragraph.add_run(word)
        marks = [(w, h) for w, h in marks if w != word]  # each mark once in the article
        position = at + len(word)


_MARKED_PARAGRAPHS = ("Bei seinem Treffen mit", "Putin und Kim kamen", "Kim hingegen", "Das sei auch", "Auf die Frage")


def paragraph_wants_marks(line: str) -> bool:
    return line.startswith(_MARKED_PARAGRAPHS)


def _table(document) -> None:
    rows = [
        ("Person", "Rolle"),
        ("Wladimir Putin", "Russischer Präsident"),
        ("Kim Jong Un", "Nordkoreanischer Machthaber"),
        ("Sergej Schoigu", "Russischer Verteidigungsminister"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for r, (who, role) in enumerate(rows):
        table.cell(r, 0).text = who
        table.cell(r, 1).text = role
        if r == 0:
            for cell in table.rows[0].cells:
                cell.paragraphs[0].runs[0].bold = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-odt", action="store_true", help="write the DOCX only (no LibreOffice needed)")
    args = parser.parse_args()
    DOCX.write_bytes(article(TEXT.read_text(encoding="utf-8")))
    print(f"wrote {DOCX.relative_to(ROOT)}")
    if not args.no_odt:
        with tempfile.TemporaryDirectory() as folder:
            to_odt([DOCX], Path(folder))
            ODT.write_bytes(fixed_dates((Path(folder) / ODT.name).read_bytes()))
        print(f"wrote {ODT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
