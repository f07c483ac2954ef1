"""Translatable units of an HTML or Markdown source, and the skeleton that puts translations back.

A source is cut into a skeleton (every character that is not translated, kept exactly) and units:
the text of a block (a paragraph, a heading, a table cell …) with its inline elements, or a
human-readable attribute (`alt`, `title`, a meta description, a Markdown image's alt text). Each
unit remembers where it sits in the source and where each of its elements' markup sits, so that
`MarkupSource.render` can write a changed unit from the translation's spans and the *source's* tags,
and an unchanged unit as its original characters (entities, line breaks and all).

Unit kinds: "title", "heading", "paragraph", "list item", "table cell", "caption", "quote", "term",
"definition", "text" (loose text in a container) and "attribute" (with `context`, e.g. "img alt").

`dolmetsch.sources` picks the format by suffix (`markup/document.py` registers HTML and Markdown); `cut` and `join` take a unit's text apart into sentences
and put translated sentences back together with the element numbers of the unit.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

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
    to escape changed text ("attribute" values carry their `quote`). `bare[i]` is element i + 1's
    (opening start, opening end, closing end) without the white space that joined its markup in
    reading (see `build_unit`); empty when no markup took any.
    """

    start: int
    end: int
    tags: tuple[tuple[int, int, int, int], ...] = ()
    style: str = ""
    quote: str = ""
    bare: tuple[tuple[int, int, int], ...] = ()


class Syntax:
    """How a format escapes changed text; implemented by each format."""

    def text(self, text: str, region: Region, first: bool, last: bool) -> str:  # pragma: no cover
        """`text` escaped as characters between markup; `first`: it opens a line of the unit (at its
        start, or after markup that ends a line); `last`: it closes the unit."""
        raise NotImplementedError

    def value(self, text: str, region: Region) -> str:  # pragma: no cover
        """An attribute value (or Markdown title/alt) escaped, quotes added where the source had none."""
        raise NotImplementedError

    def markup(self, lead: str, own: str, tail: str, tag: Tag, first: bool, last: bool, content: str = "") -> str:
        """An element's opening (or closing) in a changed unit: its `own` source characters, with the
        white space that joined it in reading before (`lead`) and after (`tail`) it. `first`: it
        opens a line (nothing but white space before it in the unit, or markup that ends a line);
        `last`: nothing but white space and closings follow it in the unit; `content`: for a closing,
        the source between the element's opening and closing. The source's characters unless a
        format says otherwise."""
        return lead + own + tail

    def leads(self, markup: str, region: Region) -> bool:
        """Whether an element at a point may open a line of a changed unit with this markup (else it
        follows the next word)."""
        return True


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
        """A changed unit: its text escaped, each element's markup taken from the source and written
        where `MarkedText.events` puts it (the one order every writer follows where tags meet)."""
        marked = self._placed(unit, translation)
        return _Composer(self, marked, _spaced_voids(unit.marked), region, splice).written()

    def _placed(self, unit: Unit, translation: MarkedText) -> MarkedText:
        """The translation with the unit's tags, void elements at a point, tightened; ValueError
        when it does not hold each element once, within its text, nested."""
        source = unit.marked
        ids = [span.id for span in translation.spans]
        if sorted(ids) != [tag.id for tag in source.tags]:
            raise ValueError(f"{self.where}:{unit.line}: the translation must hold each element once, has {ids}")
        text = translation.text
        voids = {tag.id for tag in source.tags if tag.void}
        spans = []
        for span in translation.spans:
            if not 0 <= span.start <= span.end <= len(text):
                raise ValueError(f"{self.where}:{unit.line}: element {span.id} lies outside the text")
            spans.append(Span(span.id, span.start, span.start) if span.id in voids else span)
        marked = MarkedText(text, tuple(sorted(spans, key=_ORDER)), source.tags)
        crossing = [problem for problem in marked.problems() if "overlap" in problem]
        if crossing:
            raise ValueError(f"{self.where}:{unit.line}: {crossing[0]}")
        return tighten(marked)


class _Composer:
    """The writing of one changed unit (`MarkupSource._compose`): what is written so far, and what
    the next piece of text or markup depends on (whether a line is open, markup held back)."""

    def __init__(self, source: MarkupSource, marked: MarkedText, spaced: frozenset[int], region: Region, splice: _Splicer):
        self.source, self.syntax, self.region, self.splice = source, source.syntax, region, splice
        self.text, self.events, self.spaced = marked.text, marked.events(), spaced
        self.out: list[str] = []
        self.position = 0
        self.fresh = True  # at the start of a line: nothing but white space written, or markup ending a line
        self.held: str | None = None  # markup the format will not let open a line: written after the next word

    def written(self) -> str:
        """The unit's text and markup, in the order of its events."""
        text = self.text
        for index, (at, kind, _) in enumerate(self.events):
            if at > self.position:
                self.write(at)
            written = self.markup(index)
            if self.fresh and self.held is None and kind == "point" and text[at:].strip() and not self.syntax.leads(written, self.region):
                self.held = written
                continue
            self.put(written, False)
        if self.position < len(text):
            self.write(len(text))
        if self.held is not None:
            self.put(self.held, False)
        return "".join(self.out)

    def markup(self, index: int) -> str:
        """Event `index`'s markup from the source, with the white space that joined it in reading."""
        at, kind, tag = self.events[index]
        text, splice = self.text, self.splice
        closing = kind == "close"
        ranges = self.region.tags[tag.id - 1]
        lo, hi = ranges[2:] if closing else ranges[:2]
        opening_start, opening_end, closing_end = self.region.bare[tag.id - 1] if self.region.bare else (ranges[0], ranges[1], ranges[3])
        own_lo, own_hi = (lo, closing_end) if closing else (opening_start, opening_end)
        # nothing after it in the unit but white space and closings
        last = not text[at:].strip() and all(later[1] == "close" for later in self.events[index + 1 :])
        content = self.source.text[opening_end:lo] if closing else ""
        written = self.syntax.markup(splice(lo, own_lo), splice(own_lo, own_hi), splice(own_hi, hi), tag, self.fresh, last, content)
        return written + " " if written and tag.id in self.spaced and text[at : at + 1].isalnum() else written

    def put(self, written: str, is_text: bool) -> None:
        """Append what is written, and note whether a line is open after it."""
        if written:
            self.out.append(written)
            self.fresh = (self.fresh and not written.strip()) or (not is_text and _LINE_END.search(written) is not None)

    def write(self, upto: int) -> None:
        """The text up to `upto`, escaped; held markup goes after its first word."""
        chunk = self.text[self.position : upto]
        last = upto == len(self.text)
        if self.held is not None and chunk.strip():
            word = len(chunk) - len(chunk.lstrip())
            word += len(chunk[word:].split(maxsplit=1)[0])
            self.put(self.syntax.text(chunk[:word], self.region, self.fresh, last and word == len(chunk)), True)
            self.put(self.held, False)
            chunk, self.held = chunk[word:], None
        if chunk:
            self.put(self.syntax.text(chunk, self.region, self.fresh, last), True)
        self.position = upto


def _spaced_voids(marked: MarkedText) -> frozenset[int]:
    """The void elements with a space on each side in the German (`an <1/> oder`): in the English
    one is not run into the word after it (`at <1/>or` is written `at … or`), as in a DOCX or ODT."""
    voids = {tag.id for tag in marked.tags if tag.void}
    text = marked.text
    return frozenset(s.id for s in marked.spans if s.id in voids and text[s.start - 1 : s.start] == SPACE == text[s.start : s.start + 1])


_LINE_END = re.compile(r"[\r\n][ \t>]*\Z")
"""Markup that ends a line (a Markdown hard break, with the next line's indentation or quote marks)."""


_ORDER = lambda s: (s.start, -s.end, s.id)  # noqa: E731
"""The order of a MarkedText's spans."""


def _parents(marked: MarkedText) -> dict[int, int | None]:
    """Each element's parent as `MarkedText.events` writes them (None at the top): the nesting a writer gives."""
    parents: dict[int, int | None] = {}
    stack: list[int] = []
    for _, kind, tag in marked.events():
        if kind == "close":
            stack.pop()
            continue
        parents[tag.id] = stack[-1] if stack else None
        if kind == "open":
            stack.append(tag.id)
    return parents


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
    at an element's edge aside, as `cut` and `join` drop it, and an element of white space only taken
    as empty, as `cut` keeps one between two sentences); the tags always come from the source."""
    if translation.text != source.text:
        return False
    key = lambda s: (s.start, -s.end, s.id)  # noqa: E731
    return sorted(translation.spans, key=key) == sorted(source.spans, key=key) or _settled(translation) == _settled(source)


def _settled(marked: MarkedText) -> list[Span]:
    """The spans tightened, those of white space only made empty at their start."""
    text, spans = marked.text, []
    for span in tighten(marked).spans:
        if span.end > span.start and not text[span.start : span.end].strip():
            span = Span(span.id, span.start, span.start)
        spans.append(span)
    return sorted(spans, key=lambda s: (s.start, -s.end, s.id))


@lru_cache(maxsize=256)  # a unit is tightened for each of its sentences
def tighten(marked: MarkedText) -> MarkedText:
    """White space at the edges of an element moved outside it: `** Kim**` is no emphasis in Markdown,
    and a link should not underline the space before it. Elements of white space only stay put, and
    so does an edge whose move would take an element out of another, or put it into one, as
    `MarkedText.events` writes them (`<a><br> Kim</a>` keeps its space, or the `<br>` would leave the link)."""
    text = marked.text
    if marked.problems():  # not valid (a translation not checked yet): each element on its own
        return replace(marked, spans=tuple(sorted((_trimmed(span, text) for span in marked.spans), key=_ORDER)))
    nesting = _parents(marked)
    spans = {span.id: span for span in marked.spans}
    changed = True
    while changed:  # until no edge can move: the same result however often it is applied
        changed = False
        for span in sorted(spans.values(), key=lambda s: (s.end - s.start, -s.id)):  # inner elements first
            tight = _trimmed(span, text)
            if tight == span:
                continue
            trial = {**spans, span.id: tight}
            candidate = replace(marked, spans=tuple(sorted(trial.values(), key=_ORDER)))
            if not candidate.problems() and _parents(candidate) == nesting:
                spans, changed = trial, True
    return replace(marked, spans=tuple(sorted(spans.values(), key=_ORDER)))


def _trimmed(span: Span, text: str) -> Span:
    start, end = span.start, span.end
    if end > start and text[start:end].strip():
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
    return Span(span.id, start, end)


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

    A void element sits at a point, so the white space on each side of it is text: `an <img> oder`
    reads `an <1/> oder` (a reviewer writes `at <1/> or`), `<img> Text` reads `<1/> Text` and
    `und <code>x</code>` at the end reads `und <1/>`. White space that would vanish in collapsing yet
    parts an element with text from the text (`_Wort_⏎Text`, `<b> Kim</b>`) joins that element's
    markup, so a changed unit keeps it.
    """
    reader = _UnitReader()
    for piece in protect_addresses(pieces):
        if piece.kind == "text":
            reader.text(piece)
        else:
            reader.markup(piece)
    return reader.built(style)


class _UnitReader:
    """What `build_unit` has read of a block so far: the collapsed characters, the elements and
    where their markup sits, and which element's markup the next white space may join. Reading
    text and markup both move this state, so it is kept in one place."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.space = True  # the last character written is white space (or nothing is written yet)
        self.tags: list[Tag] = []
        self.ranges: list[list[int]] = []  # per element: opening start, end, closing start, end
        self.bare: list[list[int]] = []  # per element: opening start, end, closing end, before any white space joined them
        self.starts: list[int] = []
        self.ends: list[int | None] = []
        self.open_stack: list[tuple[int, str]] = []  # (tag index, name)
        self.first: int | None = None  # source range from the first visible character or element to the last
        self.last: int | None = None
        self.taker: tuple[int, int] | None = None  # (element, 1 for its opening or 3 for its closing) taking white space
        self.run: list[int] | None = None  # source range of the white space last collapsed into one space

    def take(self, lo: int, hi: int) -> bool:
        """Let the element markup that white space may join take the source's [lo, hi), if it ends at
        `lo`: the white space then stays with that markup rather than becoming a space of the text."""
        if self.taker is None or self.ranges[self.taker[0]][self.taker[1]] != lo:
            return False
        index, slot = self.taker
        self.ranges[index][slot] = hi
        if slot == 1 and self.tags[index].void:
            self.ranges[index][2:] = [hi, hi]
        self.last = max(self.last or hi, hi)
        return True

    def text(self, piece: Piece) -> None:
        """Read a text piece, segment by segment (an entity or escape is one segment)."""
        for lo, hi, decoded in piece.segments:
            alike = hi - lo == len(decoded)
            if not alike and not decoded.strip(" \t\n\r\f"):  # a line break with its indentation
                if not self.take(lo, hi) and not self.space:
                    self.chars.append(" ")
                    self.space, self.run = True, None
                continue
            for index, char in enumerate(decoded):
                if char in " \t\n\r\f":
                    self._white(lo + index, alike)
                    continue
                self.taker = self.run = None
                self.chars.append(char)
                self.space = False
                if self.first is None:
                    self.first = lo + index if alike else lo
                self.last = lo + index + 1 if alike else hi

    def _white(self, at: int, alike: bool) -> None:
        """A white space character at source offset `at` (`alike`: its source is itself): joined to
        markup, collapsed into the space before it, or written as a space."""
        if alike and self.take(at, at + 1):
            return
        if not self.space:
            self.chars.append(" ")
            self.space = True
            self.run = [at, at + 1] if alike else None
        elif self.run is not None and alike and self.run[1] == at:
            self.run[1] += 1

    def markup(self, piece: Piece) -> None:
        """Read an opening, closing or void piece: a closing ends the elements it closes; any other
        (a closing with no opening included) starts an element."""
        if self.first is None:
            self.first = piece.start
        self.last = piece.end
        if piece.kind == "close" and self._close(piece):
            return
        self._element(piece)

    def _close(self, piece: Piece) -> bool:
        """End the open element of the piece's name and those opened inside it; False when none of
        that name is open (the piece is then kept as a void element)."""
        index = next((i for i, name in reversed(self.open_stack) if name == piece.name), None)
        if index is None:
            return False
        while self.open_stack:
            inner, _ = self.open_stack.pop()
            self.ends[inner] = len(self.chars)
            # closed here: by its own closing markup, or implicitly (no markup of its own)
            self.ranges[inner][2:] = [piece.start, piece.end] if inner == index else [piece.start, piece.start]
            self.bare[inner][2] = self.ranges[inner][3]
            if inner == index:
                break
        self.taker = (index, 3) if self.space else None
        if self.starts[index] == len(self.chars) and len(self.tags) > index + 1:
            self._collapse(index, piece.end)
        return True

    def _collapse(self, index: int, end: int) -> None:
        """An element with no text, only elements at a point (`<a href="…"><img></a>`), closed at
        `end`: one void element, as `MarkedText.events` keeps nothing inside an empty element."""
        del self.tags[index + 1 :], self.ranges[index + 1 :], self.bare[index + 1 :]
        del self.starts[index + 1 :], self.ends[index + 1 :]
        self.tags[index] = replace(self.tags[index], void=True)
        self.ranges[index] = [self.ranges[index][0], end, end, end]
        self.bare[index] = [self.bare[index][0], end, end]
        self.taker, self.space = None, False  # the white space after it is text, as after any void

    def _element(self, piece: Piece) -> None:
        """Start an element at the current character: open until closed, or void at a point."""
        void = piece.kind in ("void", "close")  # a closing piece with no opening stays where it is
        name = ("/" + piece.name) if piece.kind == "close" else piece.name
        self.tags.append(Tag(len(self.tags) + 1, "", void=void, name=name))
        self.ranges.append([piece.start, piece.end, piece.end, piece.end])
        self.bare.append([piece.start, piece.end, piece.end])
        self.starts.append(len(self.chars))
        self.ends.append(None if piece.kind == "open" else len(self.chars))
        if piece.kind == "open":
            self.open_stack.append((len(self.tags) - 1, piece.name))
        spaced, self.taker = self.space, (len(self.tags) - 1, 1) if self.space and not void else None
        if void:  # the white space after it is the text's, as before it: `an <1/> oder`
            self.space = False
        if piece.name == "br" and not spaced:  # a line break parts words as a space does
            self.chars.append(" ")
            self.space, self.run = True, None

    def built(self, style: str) -> Built | None:
        """The unit read, or None when it holds no letter: elements never closed run to its end."""
        if self.first is None or not any(char.isalpha() for char in self.chars):
            return None
        for index, _ in self.open_stack:  # never closed: the element runs to the end of the unit
            self.ranges[index][2:] = [self.last, self.last]
            self.bare[index][2] = self.last
        if self.chars and self.chars[-1] == " ":
            self._trailing_space()
        ranges, bare = self.ranges, self.bare
        return Built(
            MarkedText("".join(self.chars), self._spans(), tuple(self.tags)),
            Region(self.first, self.last, tuple(tuple(r) for r in ranges), style,
                   bare=tuple(tuple(b) for b in bare) if any(r[:2] + r[3:] != b for r, b in zip(ranges, bare)) else ()),
        )

    def _trailing_space(self) -> None:
        """The space at the end of the unit: dropped, and given to the markup of an element with no
        text right there; kept where a void element follows it."""
        after = [i for i, start in enumerate(self.starts) if start == len(self.chars)]
        if not any(self.tags[i].void for i in after):  # `und <1/>` at the end keeps its space, as `an <1/> oder` does
            if after and self.run is not None and self.ranges[after[0]][0] == self.run[1]:
                self.ranges[after[0]][0] = self.run[0]  # `und <b></b>` at the end: the space goes with the element
            self.chars.pop()

    def _spans(self) -> tuple[Span, ...]:
        """Each element's span over the characters, in MarkedText order."""
        length = len(self.chars)
        spans = []
        for index, tag in enumerate(self.tags):
            start = min(self.starts[index], length)
            end = min(length if self.ends[index] is None else self.ends[index], length)
            spans.append(Span(tag.id, start, end))
        spans.sort(key=lambda s: (s.start, -s.end, s.id))
        return tuple(spans)


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


SPACE = " "
"""The one white space `cut` trims from a sentence and `join` puts back between sentences: a unit's
white space is collapsed to single spaces, so any other (a no-break space) is text of its own."""


def sentence_bounds(marked: MarkedText, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans of `marked.text` (as `split_sentences` gives them), merged where an element
    straddles two sentences, so each element falls wholly inside one of the returned spans, and
    where the sentences are not parted by exactly one space (`Satz.&nbsp;Satz.`), which `join`
    could not give back.

    The spans are widened to cover the whole text between them; `cut` trims the white space.
    """
    if not sentences:
        return [(0, len(marked.text))] if marked.text else []
    text = marked.text
    voids = _void_points(marked)
    # a void element between two spaces before a sentence (`Satz. <1/> Satz.`) opens it, with its space
    starts = [0] + [start - 1 if text[start - 2 : start] == SPACE * 2 and start - 1 in voids else start
                    for start, _ in sentences[1:]]
    tight = tighten(marked).spans
    kept = [
        start
        for start in starts
        if start == 0
        or (
            # no element with text over the space before `start` (one that keeps it, `<a>Satz. <br></a>`, too)
            not any(span.start < start <= span.end and text[span.start : span.end].strip() for span in tight)
            and text[start - 1 : start] == SPACE
            and text[start - 2 : start - 1] != SPACE
            and (text[start : start + 1] != SPACE or start in voids)
        )
    ]
    return [(start, end) for start, end in zip(kept, kept[1:] + [len(text)])]


def cut(marked: MarkedText, start: int, end: int) -> MarkedText:
    """The part of a unit in [start, end), trimmed of spaces, its elements numbered from 1.

    A space beside a void element of the part stays (`<1/> Satz`, `unter <1/>` at the unit's end):
    it is the text's, as `build_unit` reads it. The elements wholly inside (after `tighten`) are
    kept, void ones at the edges included; number i of the part is the i-th of them in the unit's
    order, so `join` gives the unit's numbers back.
    An element in the trimmed space (`Satz eins.<span> </span>Satz zwei.`) is kept as an empty
    element at the edge of the part (an element at `end` belongs to the next part).
    """
    text = marked.text
    lo, hi = start, end
    voids = _void_points(marked)
    while start < end and text[start] == SPACE and start not in voids:
        start += 1
    while end > start and text[end - 1] == SPACE and not (end in voids and (end < hi or end == len(text))):
        end -= 1
    inside = [
        Span(s.id, min(max(s.start, start), end), min(max(s.end, start), end)) if not start <= s.start <= s.end <= end else s
        for s in tighten(marked).spans
        if start <= s.start and s.end <= end or lo <= s.start < hi and s.end <= hi and not text[s.start : s.end].strip()
    ]
    inside.sort(key=lambda s: s.id)
    spans = tuple(
        sorted((Span(number, s.start - start, s.end - start) for number, s in enumerate(inside, 1)),
               key=lambda s: (s.start, -s.end, s.id))
    )
    tags = tuple(replace(marked.tag(s.id), id=number) for number, s in enumerate(inside, 1))
    return MarkedText(text[start:end], spans, tags)


def _void_points(marked: MarkedText) -> frozenset[int]:
    """Where the void elements sit: the space beside one is text of its sentence (`<1/> Satz`, `unter <1/>`)."""
    voids = {tag.id for tag in marked.tags if tag.void}
    return frozenset(span.start for span in marked.spans if span.id in voids)


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

