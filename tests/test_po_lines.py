"""The line of each PO entry, scanned from the text, is the line polib gives it, or the scan gives up."""

from __future__ import annotations

import polib
from hypothesis import given, settings
from hypothesis import strategies as st

from dolmetsch.formats import po, po_lines

WORDS = st.text(alphabet=st.sampled_from(list('ab äß„“"\\\n\t -.x#')), max_size=120)


def polib_lines(text: str) -> dict:
    return po._entry_lines(po._lenient(text))


@st.composite
def catalogues(draw):
    catalog = polib.POFile(wrapwidth=79)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for number in range(draw(st.integers(0, 6))):
        catalog.append(polib.POEntry(
            msgid=draw(WORDS.filter(bool)), msgstr=draw(WORDS), msgctxt=draw(st.sampled_from([None, f"occurrence {number}"])),
            comment=draw(st.sampled_from(["", "sentence, block 1, sentence 1", "memory suggestion (87 %, a.po:3): " + "Wort " * 20])),
            tcomment=draw(st.sampled_from(["", "reviewer's note", "two\nlines"])),
            occurrences=[("a.txt", str(number + 1))], flags=draw(st.sampled_from([[], ["fuzzy"]])),
            obsolete=draw(st.booleans()) and number > 0,
        ))
    return catalog


@settings(max_examples=150)
@given(catalogues())
def test_the_scan_gives_polibs_lines_or_gives_up(catalog):
    for text in (str(catalog) + "\n", po.po_text(catalog)):
        scanned = po_lines.entry_lines(text)
        assert scanned is None or scanned == polib_lines(text)


def test_a_laid_out_catalogue_is_scanned():
    catalog = polib.POFile(wrapwidth=79)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for number, german in enumerate(["Putin traf Kim.", "Er sagte: \"Ja.\" " + "Und dann " * 12, "Putin traf Kim."], start=1):
        catalog.append(polib.POEntry(msgid=german, msgstr="x", msgctxt=f"occurrence {number}" if number == 3 else None,
                                     comment="sentence", occurrences=[("a.txt", str(number))]))
    text = po.po_text(catalog)
    scanned = po_lines.entry_lines(text)
    assert scanned is not None and scanned == polib_lines(text) and len(scanned) == 3
    assert po.Catalogues().entry_lines(text) == scanned


def test_what_polib_reads_otherwise_is_left_to_polib():
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    for body in ('#.\nmsgid "a"\nmsgstr "b"\n', '#~ msgid "a"\n#~ msgstr "b"\n', 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n',
                 'msgid "a "b""\nmsgstr "c"\n'):
        assert po_lines.entry_lines(header + body) is None
    assert po_lines.entry_lines('msgid "a"\nmsgstr "b"\n') is None  # no header: polib numbers the first entry 0
