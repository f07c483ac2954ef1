"""The English article in its source's own format: `S.en.html`, `S.en.md`, `S.en.docx`, `S.en.odt`.

The document writes itself (`MarkupDocument.english_file`): the source's skeleton, byte for byte,
with the translated sentences poured in and `lang` set to English; in the source's encoding.
"""

from __future__ import annotations

from pathlib import Path

from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import TranslatedDocument


class _EnglishDocument(OutputFormat):
    def render(self, translated: TranslatedDocument, existing: Path | None) -> bytes:
        return translated.document.english_file({s.segment.key: s.english for s in translated.segments})


class EnglishHtml(_EnglishDocument):
    name = "html"
    suffix = ".en.html"
    sources = ("html",)


class EnglishMarkdown(_EnglishDocument):
    name = "md"
    suffix = ".en.md"
    sources = ("markdown",)


class EnglishDocx(_EnglishDocument):
    name = "docx"
    suffix = ".en.docx"
    sources = ("docx",)


class EnglishOdt(_EnglishDocument):
    name = "odt"
    suffix = ".en.odt"
    sources = ("odt",)
