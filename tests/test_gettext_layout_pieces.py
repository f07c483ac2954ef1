"""The string steps of the in-process gettext layout against their plain character-by-character form."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dolmetsch.formats import gettext_layout as layout

TEXT = st.text(alphabet=st.sampled_from(list('ab äß—„“😀\\"\n\t\r\a\b\f\v€x.')), max_size=60)


def escape_per_character(portion: str) -> tuple[bytes, bytes]:
    escaped, overrides = bytearray(), bytearray()
    for char in portion:
        if char in layout.WRITE_ESCAPES:
            escaped += b"\\" + layout.WRITE_ESCAPES[char].encode()
            overrides += bytes((layout.UC_BREAK_UNDEFINED, layout.UC_BREAK_PROHIBITED))
        else:
            encoded = char.encode("utf-8")
            escaped += encoded
            overrides += bytes(len(encoded))
    if portion.endswith("\n"):
        overrides[-2] = layout.UC_BREAK_PROHIBITED
    return bytes(escaped), bytes(overrides)


def cut_per_byte(escaped: bytes, linebreaks: bytes, lead: str, prefix: str) -> list[str]:
    pieces, start = [], 0
    for index, kind in enumerate(linebreaks):
        if kind == layout.UC_BREAK_POSSIBLE:
            pieces.append(escaped[start:index])
            start = index
    pieces.append(escaped[start:])
    first, *rest = (piece.decode("utf-8") for piece in pieces)
    return [f'{lead}"{first}"'] + [f'{prefix}"{piece}"' for piece in rest]


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_escape_matches_the_per_character_form(portion):
    assert layout._escape(portion) == escape_per_character(portion)


def unescape_per_character(raw: str) -> str:
    parts, i = [], 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            escaped = layout.READ_ESCAPES.get(raw[i + 1 : i + 2])
            if escaped is None:
                raise layout.Unsupported(raw)
            parts.append(escaped)
            i += 2
        else:
            parts.append(char)
            i += 1
    return "".join(parts)


def outcome(function, raw: str):
    try:
        return function(raw)
    except layout.Unsupported:
        return layout.Unsupported


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab äx\\nt"r')), max_size=40))
def test_unescape_matches_the_per_character_form(raw):
    assert outcome(layout._unescape, raw) == outcome(unescape_per_character, raw)


def test_unescape_reads_every_escape_polib_writes():
    assert layout._unescape(r'a\nb\tc\rd\\e\"f') == 'a\nb\tc\rd\\e"f'


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "ä", "😀", " "]), max_size=30), st.data())
def test_cut_matches_the_per_byte_form(chars, data):
    escaped = "".join(chars).encode("utf-8")
    starts = {0}
    offset = 0
    for char in chars:  # break opportunities only at character starts, as libunistring gives them
        starts.add(offset)
        offset += len(char.encode("utf-8"))
    kinds = bytes(
        data.draw(st.sampled_from([0, 1, 2])) if i in starts else layout.UC_BREAK_PROHIBITED for i in range(len(escaped))
    )
    assert layout._cut(escaped, kinds, 'msgid ', "") == cut_per_byte(escaped, kinds, 'msgid ', "")


def catalog_of(msgid: str, msgstr: str, comment: str):
    import polib

    catalog = polib.POFile(wrapwidth=79)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "X-Model": "tiny"}
    catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr, comment=comment, occurrences=[("a.txt", "1"), ("a.txt", "2")]))
    return catalog


@settings(max_examples=60)
@given(st.text(alphabet=st.sampled_from(list('ab äß„“"\\ -.x')), min_size=1, max_size=200),
       st.text(alphabet=st.sampled_from(list('ab äß„“"\\ -.x')), max_size=200),
       st.sampled_from(["sentence, block 1, sentence 1", "memory suggestion (87 %, other.po:3): " + "Wort " * 12]))
def test_a_catalogue_is_laid_out_as_from_polibs_wrapped_text(msgid, msgstr, comment):
    from dolmetsch.formats import po

    catalog = catalog_of(msgid, msgstr, comment)
    wrapped = str(catalog) + "\n"
    laid_out = layout.layout(wrapped)
    expected = po.keep_isolated_references_whole(laid_out if laid_out is not None else po.gettext_layout(wrapped))
    assert po.po_text(catalog) == expected
    assert catalog.wrapwidth == 79
    assert po._comments_fit(catalog) == (len(comment) + 3 <= 79)
