"""The English article, with the source's block structure."""

from __future__ import annotations

from pathlib import Path

from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import TranslatedDocument


def render_text(translated: TranslatedDocument) -> str:
    text = translated.english()
    return text if text.endswith("\n") else text + "\n"


class EnglishText(OutputFormat):
    name = "text"
    suffix = ".en.txt"
    sources = ("text",)

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_text(translated)
