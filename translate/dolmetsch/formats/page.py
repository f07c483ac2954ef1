"""The English article in its source's own format: `S.en.html` for HTML, `S.en.md` for Markdown.

The document writes itself (`MarkupDocument.render`): the source's skeleton, byte for byte, with
the translated sentences poured in and `lang` set to English; in the source's encoding.
"""

from __future__ import annotations

from pathlib import Path

from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import TranslatedDocument


class _EnglishDocument(OutputFormat):
    def render(self, translated: TranslatedDocument, existing: Path | None) -> str | bytes:
        text = translated.english()
        encoded = translated.document.encode(text)
        return text if encoded == text.encode("utf-8") else encoded


class EnglishHtml(_EnglishDocument):
    name = "html"
    suffix = ".en.html"
    sources = ("html",)


class EnglishMarkdown(_EnglishDocument):
    name = "md"
    suffix = ".en.md"
    sources = ("markdown",)
