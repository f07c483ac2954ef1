"""The document skeleton: blocks, their parts and sentences, with offsets that rebuild the text exactly.

Everything downstream (engine input, PO entries, bitext rows, the English rebuild) is derived from
this one model, so a reviewed PO can be poured back into the same skeleton later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from dolmetsch.document.inline import MarkedText


class Kind(str, Enum):
    """What a part of the article is; decides whether it is translated and how it is shown."""

    TITLE = "title"
    HEADING = "heading"
    CAPTION = "caption"
    CREDIT = "credit"
    PARAGRAPH = "paragraph"

    @property
    def translated(self) -> bool:
        return self is not Kind.CREDIT


@dataclass(frozen=True)
class Sentence:
    """A sentence as a span of its part's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Part:
    """One line of a figure block (caption, credit) or a whole paragraph, heading or title."""

    kind: Kind
    text: str
    line: int
    sentences: tuple[Sentence, ...]

    def gaps(self) -> list[str]:
        """The text around the sentences: len(sentences) + 1 strings, whitespace only."""
        edges = [0] + [offset for s in self.sentences for offset in (s.start, s.end)] + [len(self.text)]
        return [self.text[edges[i] : edges[i + 1]] for i in range(0, len(edges), 2)]


@dataclass(frozen=True)
class Block:
    """A blank-line-separated block of the source; its parts are its lines (or one paragraph)."""

    number: int
    line: int
    parts: tuple[Part, ...]
    separator: str  # what joined this block's parts in the source ("\n")


class SegmentKey(NamedTuple):
    """Where a segment sits: its block number, the part within the block, and its sentence number (1-based)."""

    block: int
    part: int
    index: int


@dataclass(frozen=True)
class Segment:
    """A translatable sentence with where it sits: the unit of engine input, PO entries and bitext rows."""

    block: int
    part: int
    index: int  # sentence number within its block, 1-based
    kind: Kind
    line: int
    text: str
    """The whitespace-normalised sentence as reviewers and every file see it: with numbered
    placeholders where it holds inline markup (`Kim <1>pries</1> die Truppen.`)."""
    inline: MarkedText | None = None
    """The sentence's plain text and inline elements, for a source with markup; None for plain text."""

    @property
    def key(self) -> SegmentKey:
        return SegmentKey(self.block, self.part, self.index)

    @property
    def plain(self) -> str:
        """What the model reads and the glossary matches: the text without its inline markup."""
        return self.text if self.inline is None else self.inline.text


_WHITESPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Document:
    """A source article: its blocks, the separators between them, and where it came from."""

    source: str  # path as the user gave it, or "-" for standard input
    name: str  # file stem used for output names
    encoding: str
    blocks: tuple[Block, ...]
    block_separators: tuple[str, ...]  # len(blocks) - 1 separators, as in the source
    leading: str = ""
    trailing: str = ""
    format: str = "text"
    """The name of the source format that read it (`dolmetsch.sources`): which English document a run writes."""

    def segments(self) -> list[Segment]:
        """Translatable sentences in document order."""
        found = []
        for block in self.blocks:
            index = 0
            for part_number, part in enumerate(block.parts):
                if not part.kind.translated:
                    continue
                for sentence in part.sentences:
                    index += 1
                    text = normalise_space(part.text[sentence.start : sentence.end])
                    line = part.line + part.text.count("\n", 0, sentence.start)
                    found.append(Segment(block.number, part_number, index, part.kind, line, text))
        return found

    def render(self, translations: Mapping[tuple[int, int, int], str] | None = None) -> str:
        """Rebuild the text; with translations (by segment key) the translated article, else the source."""
        blocks = []
        for block in self.blocks:
            parts = []
            index = 0
            for part_number, part in enumerate(block.parts):
                if not part.kind.translated or translations is None:
                    parts.append(part.text)
                    continue
                gaps = part.gaps()
                pieces = [gaps[0]]
                for number, sentence in enumerate(part.sentences):
                    index += 1
                    pieces.append(translations[(block.number, part_number, index)])
                    pieces.append(_single_line(gaps[number + 1]))
                parts.append("".join(pieces))
            blocks.append(block.separator.join(parts))
        body = blocks[0] if blocks else ""
        for separator, block_text in zip(self.block_separators, blocks[1:]):
            body += separator + block_text
        return self.leading + body + self.trailing


def _single_line(gap: str) -> str:
    """Line wraps inside a source paragraph do not fit the English; keep one space instead."""
    return " " if "\n" in gap else gap
