"""Plain text, the first source format: blocks at blank lines, sentences within them."""

from __future__ import annotations

from dolmetsch.document.blocks import parse_blocks
from dolmetsch.document.model import Document
from dolmetsch.document.reading import SourceFormat, checked_sentences, decode_text


class PlainText(SourceFormat):
    """An article as plain text in any encoding German text arrives in (see `decode_text`)."""

    name = "text"
    suffixes = (".txt",)

    def parse(self, data: bytes, where: str, name: str) -> Document:
        text, encoding = decode_text(data, where)
        return checked_sentences(parse_blocks(text, source=where, name=name, encoding=encoding))
