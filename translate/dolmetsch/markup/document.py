"""HTML and Markdown sources as Documents: each unit a block, its sentences segments with placeholders.

Every stage after reading sees an HTML or Markdown article as it sees a text one: blocks, parts and
segments. A segment's `text` shows its inline elements as numbered placeholders (what the PO, the
bitext and the review page hold, see `dolmetsch.markup.placeholders`); its `inline` keeps the plain
text the model reads and the elements to carry into the English. `render` pours translations with
placeholders back into the source's skeleton, so the English page differs from the German only in
its translated text and its `lang`. Photo credits pass through as in a text article: a unit that is
a credit (`APA/AFP/Mikhail Metzel`), or an element holding one at the end of a caption
(`… <span class="credit">AP/Sputnik</span>`), is no sentence and stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dolmetsch.document.blocks import is_credit
from dolmetsch.document.model import Block, Document, Kind, Part, Segment, SegmentKey, Sentence
from dolmetsch.document.reading import SourceFormat, checked_sentences
from dolmetsch.document.sentences import split_sentences
from dolmetsch.markup.html import parse_html
from dolmetsch.markup.markdown import parse_markdown
from dolmetsch.markup.placeholders import from_placeholders, to_placeholders
from dolmetsch.document.inline import MarkedText
from dolmetsch.markup.sentences import MarkupSource, Unit, cut, join, sentence_bounds, tighten

KINDS = {"title": Kind.TITLE, "heading": Kind.HEADING, "caption": Kind.CAPTION}
"""Unit kinds the text model names; every other unit (paragraph, list item, cell, attribute …) is a paragraph."""
WHOLE = frozenset(("title", "heading", "attribute"))
"""Units translated as one sentence, as a text heading is."""


class Skeleton(Protocol):
    """What a format with inline markup reads a file into: its units, and how to write the file
    back with some of them translated (`MarkupSource` for HTML and Markdown, a package of XML parts
    for DOCX and ODT)."""

    where: str
    units: Sequence[Unit]

    def render_bytes(self, translations: Mapping[int, MarkedText], *, lang: str | None = "en") -> bytes:
        """The file with each unit in `translations` (by unit id) written in, the others as they were."""


@dataclass(frozen=True)
class MarkupDocument(Document):
    """A Document read from a file with inline markup: one block per unit, and the skeleton to write it back."""

    markup: Skeleton | None = field(default=None, compare=False, repr=False)
    marked: tuple[Segment, ...] = field(default=(), compare=False, repr=False)
    """The segments, made once when reading (cutting a unit into sentences is not free)."""
    layout: tuple[tuple[SegmentKey | MarkedText, ...], ...] = field(default=(), compare=False, repr=False)
    """Each unit's pieces in order (by unit id): a segment's key, or a piece kept as it is (a credit)."""

    def segments(self) -> list[Segment]:
        return list(self.marked)

    def render(self, translations: Mapping[tuple[int, int, int], str] | None = None) -> str:
        """The source text, or with translations (by segment key, placeholders and all) the English
        page with `lang` set to English; MarkupError when a translation's placeholders do not fit.
        A package (DOCX, ODT) has no text of its own: its text is its units' text, a block each."""
        if isinstance(self.markup, MarkupSource):
            return self.markup.text if translations is None else self.markup.render(self.english_units(translations))
        return super().render(translations)

    def english_file(self, translations: Mapping[tuple[int, int, int], str]) -> bytes:
        """The English file: the source's bytes with the translations poured in, in its encoding."""
        return self.markup.render_bytes(self.english_units(translations))

    def english_units(self, translations: Mapping[tuple[int, int, int], str]) -> dict:
        """Each unit's English as MarkedText (by unit id), its sentences joined with the pieces kept."""
        inline = {segment.key: segment.inline for segment in self.marked}
        return {
            unit: join([from_placeholders(translations[p], inline[p]) if isinstance(p, SegmentKey) else p for p in pieces])
            for unit, pieces in enumerate(self.layout)
        }



def markup_document(source: Skeleton, name: str, format: str, encoding: str = "utf_8") -> MarkupDocument:
    """The Document of a parsed source: a block per unit, its sentences as `split_sentences` finds them."""
    blocks: list[Block] = []
    segments: list[Segment] = []
    layout: list[tuple] = []
    for unit in source.units:
        kind = KINDS.get(unit.kind, Kind.PARAGRAPH)
        text = unit.marked.text
        if unit.kind != "attribute" and is_credit(text):
            blocks.append(Block(unit.id + 1, unit.line, (Part(Kind.CREDIT, text, unit.line, ()),), "\n"))
            layout.append((cut(unit.marked, 0, len(text)),))
            continue
        bounds, credit = _sentences(unit)
        parts = [Part(kind, text[: credit or len(text)], unit.line, tuple(Sentence(start, end) for start, end in bounds))]
        pieces: list = []
        for index, (start, end) in enumerate(bounds, 1):
            inline = cut(unit.marked, start, end)
            segments.append(Segment(unit.id + 1, 0, index, kind, unit.line, to_placeholders(inline), inline))
            pieces.append(segments[-1].key)
        if credit is not None:
            parts.append(Part(Kind.CREDIT, text[credit:].strip(), unit.line, ()))
            pieces.append(cut(unit.marked, credit, len(text)))
        blocks.append(Block(unit.id + 1, unit.line, tuple(parts), " "))
        layout.append(tuple(pieces))
    document = MarkupDocument(
        source=source.where,
        name=name,
        encoding=getattr(source, "encoding", encoding),
        blocks=tuple(blocks),
        block_separators=("\n\n",) * max(len(blocks) - 1, 0),
        format=format,
        markup=source,
        marked=tuple(segments),
        layout=tuple(layout),
    )
    return checked_sentences(document)


def _sentences(unit: Unit) -> tuple[list[tuple[int, int]], int | None]:
    """The unit's sentences, and where a credit that ends it starts (None: no credit)."""
    text = unit.marked.text
    bounds = [(0, len(text))] if unit.kind in WHOLE else sentence_bounds(unit.marked, split_sentences(text))
    if unit.kind == "attribute" or not bounds:
        return bounds, None
    start, end = bounds[-1]
    for span in tighten(unit.marked).spans:  # the last element with text, ending the unit, holding a credit
        if start <= span.start < span.end and not text[span.end :].strip(" .") and is_credit(text[span.start : span.end]):
            bounds[-1] = (start, span.start)
            if not text[start : span.start].strip():
                bounds.pop()
            return bounds, span.start
    return bounds, None


class HtmlSource(SourceFormat):
    """An HTML page or fragment: block text and human-readable attributes (see `dolmetsch.markup.html`)."""

    name = "html"
    suffixes = (".html", ".htm")

    def parse(self, data: bytes, where: str, name: str) -> Document:
        return markup_document(parse_html(data, where), name, self.name)


class MarkdownSource(SourceFormat):
    """A CommonMark document with GFM tables (see `dolmetsch.markup.markdown`)."""

    name = "markdown"
    suffixes = (".md", ".markdown")

    def parse(self, data: bytes, where: str, name: str) -> Document:
        return markup_document(parse_markdown(data, where), name, self.name)
