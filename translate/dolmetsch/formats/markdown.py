"""A paragraph-aligned, side-by-side Markdown view for people to read."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from dolmetsch.document.model import Kind
from dolmetsch.formats.base import OutputFormat
from dolmetsch.pipeline import TranslatedDocument


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(translated: TranslatedDocument) -> str:
    document = translated.document
    english = defaultdict(list)
    for s in translated.segments:
        english[(s.segment.block, s.segment.part)].append(s.english)
    lines = [
        f"# {document.name}: Deutsch → English",
        "",
        f"Source: `{document.source}` · model: {translated.model} · {translated.stats.segments} segments",
        "",
        "| # | Deutsch | English |",
        "|---|---|---|",
    ]
    for block in document.blocks:
        for number, part in enumerate(block.parts):
            if part.kind is Kind.CREDIT:
                de = en = f"*{_cell(part.text)}*"
            else:
                de = _cell(part.text)
                en = _cell(" ".join(english[(block.number, number)]))
            if part.kind in (Kind.TITLE, Kind.HEADING):
                de, en = f"**{de}**", f"**{en}**"
            elif part.kind is Kind.CAPTION:
                de, en = f"_{de}_", f"_{en}_"
            label = block.number if number == 0 else ""
            lines.append(f"| {label} | {de} | {en} |")
    return "\n".join(lines) + "\n"


class SideBySide(OutputFormat):
    name = "markdown"
    suffix = ".de-en.md"

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_markdown(translated)
