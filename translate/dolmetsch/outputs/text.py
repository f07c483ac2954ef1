"""The English article, with the source's block structure."""

from __future__ import annotations

from dolmetsch.translation import TranslatedDocument


def render_text(translated: TranslatedDocument) -> str:
    text = translated.english()
    return text if text.endswith("\n") else text + "\n"
