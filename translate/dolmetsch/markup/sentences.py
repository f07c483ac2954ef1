"""Translatable units of an HTML or Markdown source, and the skeleton that puts translations back.

A source is cut into a skeleton (every character that is not translated, kept exactly) and units:
the text of a block (a paragraph, a heading, a table cell …) with its inline elements, or a
human-readable attribute (`alt`, `title`, a meta description, a Markdown image's alt text). Each
unit remembers where it sits in the source and where each of its elements' markup sits, so that
`MarkupSource.render` can write a changed unit from the translation's spans and the *source's* tags,
and an unchanged unit as its original characters (entities, line breaks and all).

Unit kinds: "title", "heading", "paragraph", "list item", "table cell", "caption", "quote", "term",
"definition", "text" (loose text in a container) and "attribute" (with `context`, e.g. "img alt").

`dolmetsch.markup.reading.read_markup` picks the format by suffix; `cut` and `join` take a unit's text apart into sentences
and put translated sentences back together with the element numbers of the unit.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dolmetsch.document.reading import MAX_SOURCE_BYTES, decode_text
from dolmetsch.errors import InputError
from dolmetsch.document.inline import MarkedText, Span, Tag

HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
MARKUP_SUFFIXES = HTML_SUFFIXES + MARKDOWN_SUFFIXES


@dataclass(frozen=True)
class Unit:
    """One piece of translatable text: a block's text with its inline elements, or an attribute value."""

    id: int
    """Order in the file, from 0."""
    kind: str
    line: int
    """1-based source line where the unit starts (for PO references)."""
    marked: MarkedText
    """Plain text (entities resolved, white space collapsed) and the inline elements over it."""
    context: str = ""
    """For attributes, whose value it is: "img alt", "meta description", "link title" …"""


@dataclass(frozen=True)
class Region:
    """Where a unit sits in the source text, and where each of its elements' markup sits.

    `tags[i]` belongs to element i + 1: (opening start, opening end, closing start, closing end), the
    closing range empty where the source leaves the element unclosed. `style` tells the format how
    to escape changed text ("attribute" values carry their `quote`).
    """

    start: int
    end: int
    tags: tuple[tuple[int, int, int, int], ...] = ()
    style: str = ""
    quote: str = ""


class Syntax:
    """How a format escapes changed text; implemented by each format."""

    def text(self, text: str, region: Region, first: bool, last: bool) -> str:  # pragma: no cover
        """`text` escaped as characters between markup; `first`/`last`: it opens/closes the unit."""
        raise NotImplementedError

    def value(self, text: str, region: Region) -> str:  # pragma: no cover
        """An attribute value (or Markdown title/alt) escaped, quotes added where the source had none."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class MarkupSource:
    """A parsed HTML or Markdown file: its units, its skeleton, and how to write it back."""

    where: str
    text: str
    """The decoded source, line ends and all."""
    encoding: str
    bom: bytes
    units: tuple[Unit, ...]
    regions: tuple[Region, ...]
    """By unit id."""
    syntax: Syntax
    lang: str | None = None
    """The declared document language (`<html lang>`), if any."""
    lang_values: tuple[tuple[int, int], ...] = field(default=())
    """Source ranges of the German `lang`/`xml:lang` values that `render` sets to the target language."""

    @classmethod
    def of_found(cls, found, line_of, **fields) -> "MarkupSource":
        """A source from a parser's (built unit, kind, context) finds, numbered in source order;
        `line_of(offset)` gives a unit's line; `fields` are the rest of the record."""
        found = sorted(found, key=lambda item: item[0].region.start)
        units = tuple(
            Unit(number, kind, line_of(built.region.start), built.marked, context)
            for number, (built, kind, context) in enumerate(found)
        )
        return cls(units=units, regions=tuple(built.region for built, _, _ in found), **fields)

    def render(self, translations: Mapping[int, MarkedText], *, lang: str | None = "en") -> str:
        """The document with each unit in `translations` (by id) written in; the others as in the source.

        A translation equal to its unit's text and spans is written as the source's own characters.
        A changed one is escaped for the format, with each element's markup taken from the source
        (attribute values inside it translated too). With `lang`, German language declarations
        become `lang`. Raises ValueError when a translation does not use each element exactly once
        or nests them badly.
        """
        edits = [(lo, hi, lang) for lo, hi in self.lang_values] if lang is not None else []
        for unit in self.units:
            translation = translations.get(unit.id)
            if unit.kind == "attribute" and translation is not None and translation.text != unit.marked.text:
                region = self.regions[unit.id]
                edits.append((region.start, region.end, self.syntax.value(translation.text, region)))
        edits.sort()
        splice = _Splicer(self.text, edits)
        out, position = [], 0
        for unit in self.units:
            translation = translations.get(unit.id)
            if unit.kind == "attribute" or translation is None or same(translation, unit.marked):
                continue
            region = self.regions[unit.id]
            out.append(splice(position, region.start))
            out.append(self._compose(unit, translation, region, splice))
            position = region.end
        out.append(splice(position, len(self.text)))
        return "".join(out)

    def render_bytes(self, translations: Mapping[int, MarkedText], *, lang: str | None = "en") -> bytes:
        """`render` in the source's encoding and byte-order mark; characters it lacks become references."""
        return self.bom + self.render(translations, lang=lang).encode(self.encoding, "xmlcharrefreplace")

    def _compose(self, unit: Unit, translation: MarkedText, region: Region, splice: _Splicer) -> str:
        source = unit.marked
        ids = [span.id for span in translation.spans]
        if sorted(ids) != [tag.id for tag in source.tags]:
            raise ValueError(f"{self.where}:{unit.line}: the translation must hold each element once, has {ids}")
        text = translation.text
        voids = {tag.id for tag in source.tags if tag.void}
        spans, points = [], []  # elements over text; elements at a point (void or empty), in source order
        for span in translation.spans:
            if not 0 <= span.start <= span.end <= len(text):
                raise ValueError(f"{self.where}:{unit.line}: element {span.id} lies outside the text")
            if span.id in voids or span.start == span.end:
                points.append(Span(span.id, span.start, span.start))
            else:
                spans.append(span)
        around = _enclosing(region, voids)
        tight: dict[int, Span] = {}
        for span in sorted(spans, key=lambda s: s.end - s.start):  # inner elements first
            new = _tight(span, text, points, around)
            inner = [tight[s.id] for s in spans if s.id in tight and span.start <= s.start and s.end <= span.end]
            if inner:  # still around the elements it holds
                new = Span(span.id, min([new.start] + [s.start for s in inner]), max([new.end] + [s.end for s in inner]))
            tight[span.id] = new
        spans = list(tight.values())
        spans.sort(key=lambda s: (s.start, -s.end, s.id))
        points.sort(key=lambda s: (s.start, s.id))
        out: list[str] = []
        stack: list[Span] = []
        position = 0

        def markup(id: int, closing: bool = False) -> str:
            lo, hi = region.tags[id - 1][2:] if closing else region.tags[id - 1][:2]
            return splice(lo, hi)

        def point(span: Span, here: list[Span], done: set[int]) -> None:
            done.add(span.id)
            out.append(markup(span.id))
            if span.id not in voids:
                for inner in here:  # `<a><b></b></a>` both empty: nested as in the source
                    if inner.id not in done and span.id in around[inner.id]:
                        point(inner, here, done)
                out.append(markup(span.id, closing=True))

        for at in sorted({s.start for s in spans} | {s.end for s in spans} | {s.start for s in points}):
            if at > position:
                first = position == 0 and not out
                out.append(self.syntax.text(text[position:at], region, first, at == len(text)))
                position = at
            here = [p for p in points if p.start == at]
            done: set[int] = set()
            # where an element at a point meets an element's edge, it goes inside as it did in the source
            while stack and stack[-1].end == at:
                for p in here:
                    if p.id not in done and stack[-1].id in around[p.id]:
                        point(p, here, done)
                out.append(markup(stack.pop().id, closing=True))
            for span in (s for s in spans if s.start == at):
                for p in here:
                    if p.id not in done and span.id not in around[p.id]:
                        point(p, here, done)
                if stack and span.end > stack[-1].end:
                    raise ValueError(f"{self.where}:{unit.line}: elements {stack[-1].id} and {span.id} overlap")
                out.append(markup(span.id))
                stack.append(span)
            for p in here:
                if p.id not in done:
                    point(p, here, done)
        if position < len(text):
            out.append(self.syntax.text(text[position:], region, position == 0 and not out, True))
        return "".join(out)


def _tight(span: Span, text: str, points: list[Span], around: dict[int, set[int]]) -> Span:
    """`span` without white space at its edges (see `tighten`), yet still around the elements at a
    point that it held in the source."""
    start, end = span.start, span.end
    if text[start:end].strip():
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
    held = [p.start for p in points if span.id in around[p.id] and span.start <= p.start <= span.end]
    if held:
        start, end = min(start, min(held)), max(end, max(held))
    return Span(span.id, start, end)


def _enclosing(region: Region, voids: set[int]) -> dict[int, set[int]]:
    """For each element, the elements around it in the source (by where their markup sits)."""
    out = {}
    for number, (lo, _, _, _) in enumerate(region.tags, 1):
        out[number] = {
            other
            for other, (_, open_end, close_start, close_end) in enumerate(region.tags, 1)
            if other != number and other not in voids and open_end <= lo < close_start
        }
    return out


class _Splicer:
    """Source slices with attribute-value and language edits applied (edits sorted, disjoint)."""

    def __init__(self, text: str, edits: list[tuple[int, int, str]]):
        self.text, self.edits = text, edits
        self.starts = [edit[0] for edit in edits]

    def __call__(self, lo: int, hi: int) -> str:
        out, position = [], lo
        for index in range(bisect.bisect_left(self.starts, lo), len(self.edits)):
            start, end, new = self.edits[index]
            if start >= hi:
                break
            if end > hi:
                continue
            out.append(self.text[position:start])
            out.append(new)
            position = end
        out.append(self.text[position:hi])
        return "".join(out)


def same(translation: MarkedText, source: MarkedText) -> bool:
    """The translation is the source itself: same text, elements around the same words (white space
    at an element's edge aside, as `cut` and `join` drop it); the tags always come from the source."""
    if translation.text != source.text:
        return False
    key = lambda s: (s.start, -s.end, s.id)  # noqa: E731
    return sorted(translation.spans, key=key) == sorted(source.spans, key=key) or tighten(translation).spans == tighten(source).spans


def tighten(marked: MarkedText) -> MarkedText:
    """White space at the edges of an element moved outside it: `** Kim**` is no emphasis in Markdown,
    and a link should not underline the space before it. Elements of white space only stay put."""
    text, spans = marked.text, []
    for span in marked.spans:
        start, end = span.start, span.end
        if end > start and text[start:end].strip():
            while text[start].isspace():
                start += 1
            while text[end - 1].isspace():
                end -= 1
        spans.append(Span(span.id, start, end))
    spans.sort(key=lambda s: (s.start, -s.end, s.id))
    return replace(marked, spans=tuple(spans))


# --- Building a unit from the pieces a format's parser finds ---------------------------------------


@dataclass
class Piece:
    """A stretch of a block's source: text (with its decoded characters), or an element's markup.

    `kind` is "text", "open", "close" or "void"; `segments` pairs each stretch of a text's source with
    the characters it stands for, so an entity or a backslash escape maps back to its source.
    """

    kind: str
    start: int
    end: int
    name: str = ""
    segments: tuple[tuple[int, int, str], ...] = ()

    @property
    def decoded(self) -> str:
        return "".join(segment[2] for segment in self.segments)


def text_piece(start: int, raw: str, decoded_segments: Iterable[tuple[int, int, str]] | None = None) -> Piece:
    """A text piece; without segments its source characters are its text."""
    segments = tuple(decoded_segments) if decoded_segments is not None else ((start, start + len(raw), raw),)
    end = segments[-1][1] if segments else start
    return Piece("text", start, end, segments=segments)


_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'«»„“”]*[^\s<>\"'«»„“”.,;:!?)\]}]"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b"
)
_SPACE = re.compile(r"[ \t\n\r\f]+")


def protect_addresses(pieces: Iterable[Piece]) -> list[Piece]:
    """URLs and e-mail addresses in text become void pieces: their characters are never translated."""
    out: list[Piece] = []
    for piece in pieces:
        if piece.kind != "text":
            out.append(piece)
            continue
        decoded = piece.decoded
        cursor = 0
        for match in _URL.finditer(decoded):
            lo, hi = _source_offset(piece, match.start(), False), _source_offset(piece, match.end(), True)
            before = _sub_piece(piece, cursor, match.start())
            if before is not None:
                out.append(before)
            out.append(Piece("void", lo, hi, name="email" if "@" in match.group() and "/" not in match.group() else "url"))
            cursor = match.end()
        rest = _sub_piece(piece, cursor, len(decoded))
        if rest is not None:
            out.append(rest)
    return out


def _source_offset(piece: Piece, offset: int, end: bool) -> int:
    """Source offset of decoded offset `offset` (rounded outward inside an entity)."""
    position = 0
    for lo, hi, chars in piece.segments:
        if offset < position + len(chars) or (end and offset == position + len(chars)):
            if hi - lo == len(chars):  # source and text alike
                return lo + offset - position
            return hi if end and offset > position else lo
        position += len(chars)
    return piece.end


def _sub_piece(piece: Piece, start: int, end: int) -> Piece | None:
    """The text piece for decoded characters [start, end), cut at segment edges (rounded outward)."""
    if start >= end:
        return None
    segments, position = [], 0
    for lo, hi, chars in piece.segments:
        a, b = max(start, position), min(end, position + len(chars))
        if a < b:
            if hi - lo == len(chars):  # source and text alike: cut inside it
                segments.append((lo + a - position, lo + b - position, chars[a - position : b - position]))
            else:
                segments.append((lo, hi, chars))
        position += len(chars)
    return Piece("text", segments[0][0], segments[-1][1], segments=tuple(segments))


@dataclass(frozen=True)
class Built:
    """A unit's text and elements, and where it and its elements sit in the source."""

    marked: MarkedText
    region: Region


def build_unit(pieces: Sequence[Piece], style: str = "") -> Built | None:
    """The unit a block's pieces make, or None when they hold nothing to translate (no letter).

    White space collapses to single spaces and the unit's leading and trailing white space stays in
    the skeleton. Opening and closing pieces pair by name; a closing piece with no opening is kept as
    a void element, an opening piece with no closing spans to the end of the unit.

    White space that would vanish in collapsing yet parts an element from the text (`<img> Text`,
    `unter <code>x</code> und`, `_Wort_⏎Text`) joins that element's markup, so a changed unit keeps it.
    """
    pieces = protect_addresses(pieces)
    chars: list[str] = []
    space = True  # the last character written is white space (or nothing is written yet)
    tags: list[Tag] = []
    ranges: list[list[int]] = []  # per element: opening start, end, closing start, end
    starts: list[int] = []
    ends: list[int | None] = []
    open_stack: list[tuple[int, str]] = []  # (tag index, name)
    first = last = None  # source range from the first visible character or element to the last
    taker: tuple[int, int] | None = None  # (element, 1 for its opening or 3 for its closing) taking white space
    run: list[int] | None = None  # source range of the white space last collapsed into one space

    def take(lo: int, hi: int) -> bool:
        nonlocal last
        if taker is None or ranges[taker[0]][taker[1]] != lo:
            return False
        index, slot = taker
        ranges[index][slot] = hi
        if slot == 1 and tags[index].void:
            ranges[index][2:] = [hi, hi]
        last = max(last or hi, hi)
        return True

    for piece in pieces:
        if piece.kind == "text":
            for lo, hi, decoded in piece.segments:
                alike = hi - lo == len(decoded)
                if not alike and not decoded.strip(" \t\n\r\f"):  # a line break with its indentation
                    if not take(lo, hi) and not space:
                        chars.append(" ")
                        space, run = True, None
                    continue
                for index, char in enumerate(decoded):
                    if char in " \t\n\r\f":
                        if alike and take(lo + index, lo + index + 1):
                            continue
                        if not space:
                            chars.append(" ")
                            space = True
                            run = [lo + index, lo + index + 1] if alike else None
                        elif run is not None and alike and run[1] == lo + index:
                            run[1] += 1
                        continue
                    taker = run = None
                    chars.append(char)
                    space = False
                    if first is None:
                        first = lo + index if alike else lo
                    last = lo + index + 1 if alike else hi
            continue
        if first is None:
            first = piece.start
        last = piece.end
        if piece.kind == "close":
            index = next((i for i, name in reversed(open_stack) if name == piece.name), None)
            if index is not None:
                while open_stack:
                    inner, _ = open_stack.pop()
                    ends[inner] = len(chars)
                    # closed here: by its own closing markup, or implicitly (no markup of its own)
                    ranges[inner][2:] = [piece.start, piece.end] if inner == index else [piece.start, piece.start]
                    if inner == index:
                        break
                taker = (index, 3) if space else None
                continue
        void = piece.kind in ("void", "close")  # a closing piece with no opening stays where it is
        tags.append(Tag(len(tags) + 1, "", void=void, name=("/" + piece.name) if piece.kind == "close" else piece.name))
        ranges.append([piece.start, piece.end, piece.end, piece.end])
        starts.append(len(chars))
        ends.append(None if piece.kind == "open" else len(chars))
        if piece.kind == "open":
            open_stack.append((len(tags) - 1, piece.name))
        taker = (len(tags) - 1, 1) if space else None
        if piece.name == "br" and not space:  # a line break parts words as a space does
            chars.append(" ")
            space, run = True, None
    if first is None or not any(char.isalpha() for char in chars):
        return None
    for index, _ in open_stack:  # never closed: the element runs to the end of the unit
        ranges[index][2:] = [last, last]
    if chars and chars[-1] == " ":
        after = [i for i, start in enumerate(starts) if start == len(chars)]
        if after and run is not None and ranges[after[0]][0] == run[1]:
            ranges[after[0]][0] = run[0]  # `und <code>x</code>` at the end: the space goes with the element
        chars.pop()
    length = len(chars)
    spans = []
    for index, tag in enumerate(tags):
        start = min(starts[index], length)
        end = min(length if ends[index] is None else ends[index], length)
        spans.append(Span(tag.id, start, end))
    spans.sort(key=lambda s: (s.start, -s.end, s.id))
    return Built(
        MarkedText("".join(chars), tuple(spans), tuple(tags)),
        Region(first, last, tuple(tuple(r) for r in ranges), style),
    )


def with_openings(built: Built, text: str) -> Built:
    """Fill each Tag's opening and closing with the source characters the region points at."""
    tags = tuple(
        replace(tag, opening=text[lo:hi], closing=text[clo:chi])
        for tag, (lo, hi, clo, chi) in zip(built.marked.tags, built.region.tags)
    )
    return Built(replace(built.marked, tags=tags), built.region)


def plain_unit(start: int, end: int, decoded: str, style: str, quote: str = "") -> Built | None:
    """An attribute-like unit: plain text from a source range, or None when it holds no letter."""
    text = _SPACE.sub(" ", decoded).strip()
    if not any(char.isalpha() for char in _URL.sub("", text)):
        return None
    return Built(MarkedText(text), Region(start, end, (), style, quote))


class LineIndex:
    """1-based line numbers of offsets into a text (lines end at "\\n")."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column


# --- Reading --------------------------------------------------------------------------------------

_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                   "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252", "x-user-defined": "cp1252"}
"""Labels browsers read as Windows-1252 (WHATWG Encoding), whatever the label says."""


def decode_source(data: bytes, where: str, declared: str | None = None) -> tuple[str, str, bytes]:
    """(text, codec, byte-order mark): by the BOM, else the declared charset, else detection.

    Line ends are kept, unlike in plain-text reading, so the skeleton is kept byte for byte; a source
    whose bytes do not come back from its characters is refused.
    """
    if len(data) > MAX_SOURCE_BYTES:
        raise InputError(where, f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    _, detected = decode_text(data, where)  # refuses empty and binary input
    codec = None
    for bom, name in ((codecs.BOM_UTF8, "utf_8"), (codecs.BOM_UTF16_LE, "utf_16_le"), (codecs.BOM_UTF16_BE, "utf_16_be")):
        if data.startswith(bom):
            codec, body = name, data[len(bom) :]
            break
    else:
        bom, body = b"", data
        if declared:
            codec = _codec(declared)
            if codec is not None:
                try:
                    body.decode(codec)
                except UnicodeDecodeError:
                    codec = None  # the declaration is wrong: detect, as for an undeclared page
        if codec is None:
            codec = detected.removesuffix("_sig")
            if codec == "utf_16":  # no BOM: decode_text found the NUL bytes of Latin text in UTF-16
                codec = "utf_16_le" if body[1::2].count(0) > body[0::2].count(0) else "utf_16_be"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(where, f"cannot decode as {codec} ({exc.reason})") from None
    if "\x00" in text:
        raise InputError(where, "not a text file (binary data)")
    if text.encode(codec) != body:
        raise InputError(where, f"its bytes do not survive decoding as {codec}")
    return text, codecs.lookup(codec).name, bom


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# --- Sentences of a unit --------------------------------------------------------------------------


def sentence_bounds(marked: MarkedText, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans of `marked.text` (as `split_sentences` gives them), merged where an element
    straddles two sentences, so each element falls wholly inside one of the returned spans.

    The spans are widened to cover the whole text between them; `cut` trims the white space.
    """
    if not sentences:
        return [(0, len(marked.text))] if marked.text else []
    starts = [0] + [start for start, _ in sentences[1:]]
    tight = tighten(marked).spans
    kept = [
        start
        for start in starts
        if start == 0 or not any(span.start < start < span.end for span in tight if span.start != span.end)
    ]
    return [(start, end) for start, end in zip(kept, kept[1:] + [len(marked.text)])]


def cut(marked: MarkedText, start: int, end: int) -> MarkedText:
    """The part of a unit in [start, end), trimmed of white space, its elements numbered from 1.

    The elements wholly inside (after `tighten`) are kept, void ones at the edges included; number
    i of the part is the i-th of them in the unit's order, so `join` gives the unit's numbers back.
    """
    text = marked.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    inside = [s for s in tighten(marked).spans if start <= s.start and s.end <= end]
    inside.sort(key=lambda s: s.id)
    spans = tuple(
        sorted((Span(number, s.start - start, s.end - start) for number, s in enumerate(inside, 1)),
               key=lambda s: (s.start, -s.end, s.id))
    )
    tags = tuple(replace(marked.tag(s.id), id=number) for number, s in enumerate(inside, 1))
    return MarkedText(text[start:end], spans, tags)


def join(parts: Sequence[MarkedText], separator: str = " ") -> MarkedText:
    """Sentences put back into one unit: their elements renumbered on from part to part."""
    text, spans, tags, base = "", [], [], 0
    for index, part in enumerate(parts):
        if index and part.text and text:
            text += separator
        offset = len(text)
        spans.extend(Span(s.id + base, s.start + offset, s.end + offset) for s in part.spans)
        tags.extend(replace(t, id=t.id + base) for t in part.tags)
        text += part.text
        base += max([t.id for t in part.tags] + [s.id for s in part.spans], default=0)
    spans.sort(key=lambda s: (s.start, -s.end, s.id))
    tags.sort(key=lambda t: t.id)
    return MarkedText(text, tuple(spans), tuple(tags))

